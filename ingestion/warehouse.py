"""The build DuckDB as ingestion sees it: opened per load (never at import), schema raw created when missing."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from ingestion.contracts import raw_schema_ddl
from ingestion.settings import LOCAL_TZ

LOCK_WAIT_S = 300.0


def local_now() -> dt.datetime:
    """Wall-clock time in Ho Chi Minh City, without zone (how every timestamp in the warehouse is stored)."""
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
    for statement in raw_schema_ddl():
        con.execute(statement)
    return con
