"""For the Spark engine, every raw table dbt reads handed over as Parquet (EDUKPI_SPARK_DIR/raw/<table>/), copied from the
DuckDB build file before each dbt build; on DuckDB nothing is written.

Ingestion itself does not fork: it always loads and quarantines into the DuckDB build file (the calendar too, asset
raw/calendar_days), and Spark reads the same rows.
"""
from __future__ import annotations

import os
from pathlib import Path

from edukpi.settings import Settings
from ingestion.build_db import connect
from ingestion.contracts import CALENDAR_TABLE, CONTRACTS

# The raw tables the dbt sources read (schema raw of dbt_project/models/staging/<source>/_<source>__sources.yml).
RAW_TABLES_FOR_DBT = (*(contract.table for contract in CONTRACTS.values()), CALENDAR_TABLE.split(".", 1)[1])


def spark_raw_dir(settings: Settings) -> Path:
    return settings.spark_dir / "raw"


def hand_over_raw_tables(settings: Settings) -> dict[str, int]:
    """On the Spark engine, each raw table to Parquet; returns rows per table handed over (nothing on DuckDB)."""
    rows: dict[str, int] = {}
    if settings.engine != "spark":
        return rows
    with connect(settings.build_db) as con:
        for table in RAW_TABLES_FOR_DBT:
            folder = spark_raw_dir(settings) / table
            folder.mkdir(parents=True, exist_ok=True)
            # A new file renamed over the old one: a Spark reader never sees half a file.
            partial = folder / f".data.{os.getpid()}.parquet.tmp"
            con.execute(f"copy raw.{table} to '{partial}' (format parquet)")
            os.replace(partial, folder / "data.parquet")
            rows[table] = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
    return rows
