"""What dbt reads besides the loaded exports, written before each dbt build: the working-day calendar, and for the Spark
engine every raw table as Parquet (EDUKPI_SPARK_DIR/raw/<table>/), copied from the DuckDB build file.

Ingestion itself does not fork: it always loads and quarantines into the DuckDB build file, and Spark reads the same rows.
"""
from __future__ import annotations

import os
from pathlib import Path

from ingestion.calendar_days import write_calendar_days
from ingestion.contracts import CONTRACTS
from ingestion.settings import Settings
from ingestion.warehouse import connect

# The raw tables the dbt sources read (dbt_project/models/staging/raw/_raw__sources.yml).
RAW_TABLES_FOR_DBT = (*(contract.table for contract in CONTRACTS.values()), "calendar_days")


def spark_raw_dir(settings: Settings) -> Path:
    return settings.spark_dir / "raw"


def prepare_dbt_inputs(settings: Settings) -> dict[str, int]:
    """Write raw.calendar_days; on the Spark engine also each raw table to Parquet. Returns rows per table handed over."""
    rows: dict[str, int] = {}
    with connect(settings.build_db) as con:
        rows["calendar_days"] = write_calendar_days(con)
        if settings.engine != "spark":
            return rows
        for table in RAW_TABLES_FOR_DBT:
            folder = spark_raw_dir(settings) / table
            folder.mkdir(parents=True, exist_ok=True)
            # A new file renamed over the old one: a Spark reader never sees half a file.
            partial = folder / f".data.{os.getpid()}.parquet.tmp"
            con.execute(f"copy raw.{table} to '{partial}' (format parquet)")
            os.replace(partial, folder / "data.parquet")
            rows[table] = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
    return rows
