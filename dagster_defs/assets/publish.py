"""Publishing: the staff's warehouse is a fresh copy of the marts, swapped in atomically; then the reports are rendered from it."""

import os
import shutil
from collections.abc import Collection
from pathlib import Path

import dagster as dg
import duckdb

from dagster_defs.assets.dbt import edukpi_dbt
from dagster_defs.resources import EduKpiSettings

# What staff may read: the marts and the reference seeds. Never raw, staging, intermediate or quarantine (personal data, free text).
PUBLISHED_SCHEMAS = ("marts", "reference")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_copies(warehouse_db: Path) -> list[str]:
    """Remove copy files (`.<name>.<pid>.tmp`) left by publishes that were killed; a live process's copy is left alone."""
    removed = []
    for leftover in warehouse_db.parent.glob(f".{warehouse_db.name}.*.tmp"):
        pid_text = leftover.name[len(warehouse_db.name) + 2 : -len(".tmp")]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
            continue
        leftover.unlink(missing_ok=True)
        removed.append(leftover.name)
    return removed


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_comments(con: duckdb.DuckDBPyConnection, source_catalog: str, tables: list[tuple[str, str]]) -> int:
    """Give the copied tables the table and column comments they have in `source_catalog` (dbt's persist_docs writes the
    model descriptions there): `create table ... as select` copies rows and types, not comments. Returns how many were set.

    The comments are read in two queries and set in one batch of statements: one query and one statement per table and
    column (~800 at city-year) took 0.9 s of the publish's 1.8 s."""
    wanted = [list(table) for table in tables]
    found = con.execute(
        "select schema_name, table_name, null as column_name, comment, 0 as column_index from duckdb_tables() "
        "where database_name = $catalog and [schema_name, table_name] in $tables and coalesce(comment, '') <> '' "
        "union all "
        "select schema_name, table_name, column_name, comment, column_index from duckdb_columns() "
        "where database_name = $catalog and [schema_name, table_name] in $tables and coalesce(comment, '') <> '' "
        "order by 1, 2, column_name nulls first, column_index",
        {"catalog": source_catalog, "tables": wanted},
    ).fetchall()
    statements = [
        f'comment on table "{schema}"."{table}" is {_sql_literal(comment)}' if column is None
        else f'comment on column "{schema}"."{table}"."{column}" is {_sql_literal(comment)}'
        for schema, table, column, comment, _ in found
    ]
    if statements:
        con.execute(";\n".join(statements))
    return len(statements)


def _spark_tables(spark_warehouse: Path) -> list[tuple[str, str, str]]:
    """(schema, table, Parquet glob) of every published table the Spark engine wrote (<warehouse>/<schema>.db/<table>/)."""
    found = []
    for schema in PUBLISHED_SCHEMAS:
        for folder in sorted((spark_warehouse / f"{schema}.db").glob("*")):
            if folder.is_dir():
                if not any(folder.glob("*.parquet")):
                    raise RuntimeError(f"{folder}: the Spark table {schema}.{folder.name} has no Parquet file to publish")
                found.append((schema, folder.name, str(folder / "*.parquet")))
    return found


def publish_warehouse(build_db: Path, warehouse_db: Path, spark_warehouse: Path | None = None,
                      unchanged: Collection[tuple[str, str]] = ()) -> dict[str, int]:
    """Copy the published schemas of `build_db` into a new file and rename it over `warehouse_db` (readers keep their snapshot).

    With `spark_warehouse` (EDUKPI_ENGINE=spark) the marts and reference tables are read from the Parquet files of the
    Spark tables instead: the staff's warehouse is a DuckDB file whichever engine computed it.

    `unchanged`: (schema, table) pairs known to be the same in `build_db` as in the current `warehouse_db`. When the
    published file holds exactly the build's tables, the new file starts as a copy of it and only the other tables are
    copied from the build (a one-day refresh rebuilds 5 of 51); otherwise every table is copied.
    A publish killed mid-copy leaves only its copy file behind (the published file is untouched); the next publish removes it.
    """
    spark_tables = _spark_tables(spark_warehouse) if spark_warehouse is not None else None
    origin = spark_warehouse if spark_warehouse is not None else build_db
    warehouse_db.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_copies(warehouse_db)
    staging_file = warehouse_db.with_name(f".{warehouse_db.name}.{os.getpid()}.tmp")
    row_counts: dict[str, int] = {}
    try:
        # Tables kept from the current published file: only when it holds exactly the build's tables.
        kept: set[tuple[str, str]] = set()
        if unchanged and spark_tables is None:
            published = _published_tables(warehouse_db)
            if published and published == _published_tables(build_db) and set(unchanged) <= published:
                kept = set(unchanged)
                shutil.copyfile(warehouse_db, staging_file)
        with duckdb.connect(str(staging_file)) as con:
            if spark_tables is None:
                con.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
                tables = [
                    (schema, table, f'build."{schema}"."{table}"')
                    for schema, table in con.execute(
                        "select table_schema, table_name from information_schema.tables "
                        "where table_catalog = 'build' and table_schema in ? and table_type = 'BASE TABLE' order by 1, 2",
                        [list(PUBLISHED_SCHEMAS)],
                    ).fetchall()
                    if (schema, table) not in kept
                ]
            else:
                tables = [(schema, table, f"read_parquet('{files}')") for schema, table, files in spark_tables]
            if not kept and not any(schema == "marts" for schema, _, _ in tables):
                raise RuntimeError(f"{origin} has no tables in schema marts: nothing to publish")
            for schema in sorted({schema for schema, _, _ in tables}):
                con.execute(f'create schema if not exists "{schema}"')
            for schema, table, relation in tables:
                con.execute(f'drop table if exists "{schema}"."{table}"')
                # DuckDB answers `create table … as` with the number of rows it wrote.
                (row_counts[f"{schema}.{table}"],) = con.execute(
                    f'create table "{schema}"."{table}" as select * from {relation}').fetchone()
            for schema, table in kept:
                (row_counts[f"{schema}.{table}"],) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
            if spark_tables is None:
                copy_comments(con, "build", [(schema, table) for schema, table, _ in tables])
                con.execute("DETACH build")
            con.execute("CHECKPOINT")
        os.replace(staging_file, warehouse_db)
    finally:
        staging_file.unlink(missing_ok=True)
    return dict(sorted(row_counts.items()))


def _published_tables(db: Path) -> set[tuple[str, str]]:
    """The tables of the published schemas in a DuckDB file (none if there is no file, or it cannot be opened)."""
    if not db.exists():
        return set()
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return set(con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
                "and schema_name in ? and not temporary",
                [list(PUBLISHED_SCHEMAS)]).fetchall())
    except duckdb.Error:
        return set()


@dg.asset(
    key=["published", "warehouse"],
    group_name="published",
    deps=[edukpi_dbt],
    kinds={"duckdb"},
    description=(
        "The warehouse staff query (data/warehouse.duckdb): marts and reference tables copied from the build file and "
        "renamed into place atomically. A failed build never reaches it; raw, staging and quarantine tables never do."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext, settings: EduKpiSettings) -> dg.MaterializeResult:
    resolved = settings.get()
    spark_warehouse = resolved.spark_dir / "warehouse" if resolved.engine == "spark" else None
    unchanged = set() if spark_warehouse else _unchanged_since_last_publish(context, resolved.build_db)
    row_counts = publish_warehouse(resolved.build_db, resolved.warehouse_db, spark_warehouse, unchanged)
    context.log.info(f"published {len(row_counts)} tables to {resolved.warehouse_db}"
                     + (f" ({len(unchanged)} kept from the last publish, unchanged since)" if unchanged else ""))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(resolved.warehouse_db)),
            "build_db": dg.MetadataValue.path(str(resolved.build_db)),
            "tables": len(row_counts),
            "tables_kept_unchanged": len(unchanged),
            "size_mb": round(resolved.warehouse_db.stat().st_size / 1e6, 1),
            "row_counts": dg.MetadataValue.json(row_counts),
        }
    )


def _unchanged_since_last_publish(context: dg.AssetExecutionContext, build_db: Path) -> set[tuple[str, str]]:
    """The published tables whose dbt asset was last materialised before the last publish of this build file, from
    Dagster's records: those a run did not rebuild (a one-day refresh rebuilds the portal's). A table rebuilt by a run
    that stopped before its publish is newer than that publish, so it is copied again; a table with no record is copied."""
    last_publish = context.instance.get_latest_materialization_event(context.asset_key)
    if last_publish is None or last_publish.asset_materialization is None:
        return set()
    published_from = last_publish.asset_materialization.metadata.get("build_db")
    if published_from is None or str(published_from.value) != str(build_db):
        return set()
    keys = [key for key in edukpi_dbt.keys if len(key.path) == 2 and key.path[0] in PUBLISHED_SCHEMAS]
    latest = context.instance.get_latest_materialization_events(keys)
    return {
        (key.path[0], key.path[1]) for key, event in latest.items()
        if event is not None and event.timestamp < last_publish.timestamp
    }


@dg.asset(
    key=["published", "kpi_reports"],
    group_name="published",
    deps=[published_warehouse],
    kinds={"plotly", "html"},
    description="Self-contained Vietnamese HTML KPI reports for leadership (reports/out/index.html), read from the published warehouse.",
)
def kpi_reports(context: dg.AssetExecutionContext, settings: EduKpiSettings) -> dg.MaterializeResult:
    from reports.render import render_reports

    resolved = settings.get()
    pages = render_reports(resolved.warehouse_db, resolved.reports_dir)
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(resolved.reports_dir / "index.html")),
            "pages": len(pages),
            "total_size_kb": round(sum(p.stat().st_size for p in pages) / 1024),
        }
    )
