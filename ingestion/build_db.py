"""The build DuckDB as ingestion sees it: opened per load (never at import), schema raw created when missing."""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from ingestion.contracts import raw_schema_ddl
from edukpi.settings import LOCAL_TZ

LOCK_WAIT_S = 300.0
# DuckDB takes up to 80 % of the machine's memory unless told otherwise: a city-year load grew the Dagster process to
# ~20 GB (docs/benchmarks.md, Finding 5). Every connection of the build gets this cap; dbt's (profiles.yml) the same.
MEMORY_LIMIT_ENV = "EDUKPI_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "3GB"


def memory_limit() -> str:
    """DuckDB memory_limit of the build's connections: EDUKPI_DUCKDB_MEMORY_LIMIT (e.g. '3GB', '512MB'), default 3GB."""
    return os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT


def temp_directory(build_db: Path) -> Path:
    """Where DuckDB spills beyond memory_limit: beside the build file (data/build/ is ignored by git)."""
    return build_db.with_name(build_db.name + ".tmp")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def limit_memory(con: duckdb.DuckDBPyConnection, build_db: Path) -> None:
    """Cap DuckDB's memory on this connection (the setting is the database instance's, shared by its connections) and
    spill beside the build file."""
    limit = memory_limit()
    try:
        con.execute(f"set memory_limit = {_sql_text(limit)}")
    except duckdb.Error as error:
        raise ValueError(f"{MEMORY_LIMIT_ENV}={limit!r} is not a DuckDB memory size (e.g. 3GB, 512MB): {error}") from None
    spill = str(temp_directory(build_db))
    # DuckDB refuses to switch (even to the same path) once the instance has spilled: set it only when it differs.
    if con.execute("select current_setting('temp_directory')").fetchone()[0] != spill:
        try:
            con.execute(f"set temp_directory = {_sql_text(spill)}")
        except duckdb.NotImplementedException:
            pass  # another connection of this process already spills elsewhere; it keeps doing so


def local_now(today: dt.date | None = None) -> dt.datetime:
    """Wall-clock time in Ho Chi Minh City, without zone (how every timestamp in the warehouse is stored). With `today`
    (the setting EDUKPI_TODAY) the end of that day instead: a load then judges "in the future" against that day."""
    if today is not None:
        return dt.datetime.combine(today, dt.time(23, 59, 59))
    return dt.datetime.now(ZoneInfo(LOCAL_TZ)).replace(tzinfo=None, microsecond=0)


def connect(build_db: Path, wait_s: float = LOCK_WAIT_S) -> duckdb.DuckDBPyConnection:
    """Open the build file for writing; if another process holds it (one writer per file), wait for it rather than fail."""
    build_db.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(str(build_db))
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(1.0)
    try:
        limit_memory(con, build_db)
    except BaseException:
        con.close()
        raise
    for statement in raw_schema_ddl():
        con.execute(statement)
    return con
