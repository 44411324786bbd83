"""Staff's ad-hoc SQL on the published warehouse: read-only, no file system, no extensions, configuration locked."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import duckdb

# DuckDB refuses to re-enable external access on a running database, and the lock stops every other setting change.
LOCKED_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def connect_readonly(warehouse_db: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse_db.exists():
        raise SystemExit(f"{warehouse_db} does not exist yet: run `make run` first to build and publish the warehouse.")
    return duckdb.connect(str(warehouse_db), read_only=True, config=dict(LOCKED_CONFIG))


def run_sql(warehouse_db: Path, query: str | None, csv_path: str | None = None, xlsx_path: str | None = None) -> int:
    """Run one query and print it as a table (or write CSV/XLSX); with no query, open the interactive DuckDB shell."""
    if query is None:
        return open_shell(warehouse_db)
    con = connect_readonly(warehouse_db)
    try:
        relation = con.sql(query)
        if relation is None:
            print("OK")
            return 0
        frame = relation.pl()
    except duckdb.Error as error:
        print(f"SQL error: {error}", file=sys.stderr)
        return 1
    finally:
        con.close()
    # Files are written by Python, not by DuckDB: the staff connection itself has no file-system access.
    if csv_path:
        frame.write_csv(csv_path)
        print(f"{frame.height} rows written to {csv_path}")
    if xlsx_path:
        frame.write_excel(xlsx_path, autofit=True)
        print(f"{frame.height} rows written to {xlsx_path}")
    if not (csv_path or xlsx_path):
        import polars as pl

        with pl.Config(tbl_rows=100, tbl_cols=30, fmt_str_lengths=60, tbl_hide_dataframe_shape=False):
            print(frame)
    return 0


def open_shell(warehouse_db: Path) -> int:
    """The DuckDB command-line shell (package duckdb-cli, same version as the duckdb library), read-only, no external access."""
    if not warehouse_db.exists():
        raise SystemExit(f"{warehouse_db} does not exist yet: run `make run` first to build and publish the warehouse.")
    shell = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")
    if shell is None:
        raise SystemExit("the DuckDB shell (package duckdb-cli) is not installed in this environment: run `make install`")
    command = [shell, "-readonly", "-cmd", "SET enable_external_access = false", str(warehouse_db)]
    os.execv(shell, command)
    return 0  # not reached
