"""Builds one generated preset on both engines (DuckDB and Spark) and compares every published table row for row.

Run as `python -m tests.spark_check`; `make spark-check` runs it through tests/e2e/test_spark_check.py (marked `spark`,
left out of `make test`). DuckDB builds the whole pipeline through `edukpi materialize` (or an existing build is given:
the pytest test passes the session's tiny pipeline build). Ingestion does not fork, so Spark starts from that build
file's raw tables: they are handed over as Parquet (ingestion/spark_handoff.py, as the Dagster dbt steps do), then ONE
`dbt build --target spark` (one JVM, one local Spark session, an in-memory catalogue: no Derby metastore to create)
computes every seed and model, and the marts and reference tables are published from the Spark tables' Parquet files
(dagster_defs/assets/publish.py). `--through-dagster` instead runs `edukpi materialize` on Spark too (the Dagster path,
several dbt steps: slower). Then the two published warehouses (schemas marts and reference, both DuckDB files) are
compared: the same tables, the same columns and types, the same rows (floats equal within 1e-9). Prints the first
differing rows and exits non-zero naming every table that differs or could not be built. Nothing is skipped: a table one
engine lacks is a difference.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import duckdb

from edukpi.runtime import runtime_env
from edukpi.settings import PROJECT_ROOT, Settings

ENGINES = ("duckdb", "spark")
PUBLISHED_SCHEMAS = ("marts", "reference")
FLOAT_TOLERANCE = 1e-9
FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
SHOWN_DIFFERENCES = 5
# The check's Spark session keeps its catalogue in memory: one dbt invocation needs nothing to outlive it.
SPARK_CATALOG = "in-memory"


@dataclass
class TableComparison:
    table: str
    problems: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.problems


def java_version() -> str:
    """The first line of `java -version` (it prints to stderr); tells what is missing if there is no Java."""
    try:
        shown = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True)
    except FileNotFoundError:
        raise SystemExit("java is not installed: Spark needs Java 17 (Debian: apt-get install -y openjdk-17-jre-headless, "
                         "which `make spark-check` does when java is missing)")
    return (shown.stderr or shown.stdout).splitlines()[0].strip()


def engine_settings(root: Path, raw_dir: Path, engine: str) -> Settings:
    return Settings(
        raw_dir=raw_dir,
        build_db=root / engine / "build" / "warehouse.duckdb",
        warehouse_db=root / engine / "warehouse.duckdb",
        reports_dir=root / engine / "reports",
        hmac_key=None,
        engine=engine,
    )


def _edukpi(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    edukpi = Path(sys.executable).with_name("edukpi")
    return subprocess.run([str(edukpi), *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)


def _env(settings: Settings, dagster_home: Path) -> dict[str, str]:
    """The environment of a build's processes from the one place that makes it (edukpi/runtime.py), without this
    process's EDUKPI_* settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("EDUKPI_")}
    return runtime_env(settings, dagster_home=dagster_home, base=base)


def build(settings: Settings, dagster_home: Path, log_file: Path) -> float:
    """`edukpi materialize` on one engine; returns the seconds it took. Raises with the log's tail when it fails."""
    started = time.monotonic()
    done = _edukpi(["materialize"], _env(settings, dagster_home))
    seconds = time.monotonic() - started
    log_file.write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        raise RuntimeError(f"the {settings.engine} build failed (exit {done.returncode}; log {log_file}):\n"
                           f"{(done.stdout + done.stderr)[-4000:]}")
    if not settings.warehouse_db.exists():
        raise RuntimeError(f"the {settings.engine} build ended without publishing {settings.warehouse_db} (a step was "
                           f"skipped; log {log_file})")
    return seconds


def build_on_spark(duckdb_build_db: Path, root: Path, log_file: Path, data_tests: bool = False) -> float:
    """The Spark leg from an ingested DuckDB build file (a copy of it, so the DuckDB build is left as it was): its raw
    tables handed over as Parquet, one `dbt build --target spark` of every seed and model (and data test with
    `data_tests`), the marts and reference tables published from the Spark tables. Returns the seconds it took; raises
    with the log's tail when dbt fails (the tables Spark did build are published all the same, to be compared)."""
    from dagster_defs.assets.publish import publish_warehouse
    from ingestion.spark_handoff import hand_over_raw_tables

    started = time.monotonic()
    settings = engine_settings(root, root / "raw", "spark")
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(duckdb_build_db, settings.build_db)
    hand_over_raw_tables(settings)
    env = {**_env(settings, root / "dagster_home"), "EDUKPI_SPARK_CATALOG": SPARK_CATALOG}
    excluded = ["unit_test"] if data_tests else ["unit_test", "test"]
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "build", "--target", "spark", "--exclude-resource-type", *excluded,
         "--target-path", str(root / "spark" / "dbt_target"), "--log-path", str(root / "spark" / "dbt_logs")],
        env=env, cwd=PROJECT_ROOT / "dbt_project", capture_output=True, text=True,
    )
    log_file.write_text(done.stdout + done.stderr, encoding="utf-8")
    try:
        publish_warehouse(settings.build_db, settings.warehouse_db, settings.spark_dir / "warehouse")
    except RuntimeError as error:
        print(f"spark-check: {error}", file=sys.stderr)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        failed = [line.strip() for line in done.stdout.splitlines() if " ERROR " in line and " of " in line]
        raise RuntimeError(f"dbt build on spark failed (exit {done.returncode}; log {log_file}):\n" + "\n".join(failed)
                           + "\n" + done.stdout[-3000:])
    if not settings.warehouse_db.exists():
        raise RuntimeError(f"the spark build ended without publishing {settings.warehouse_db} (log {log_file})")
    return seconds


def publish_what_spark_built(settings: Settings) -> bool:
    """When some dbt models fail on Spark, Dagster skips the publish: publish the marts and reference tables Spark did
    build (the same publish_warehouse, from the Spark tables' Parquet files), so the comparison names each table that is
    missing or differs instead of none. False when Spark built no mart at all."""
    from dagster_defs.assets.publish import publish_warehouse

    try:
        publish_warehouse(settings.build_db, settings.warehouse_db, settings.spark_dir / "warehouse")
    except RuntimeError as error:
        print(f"spark-check: {error}", file=sys.stderr)
        return False
    return True


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema in ? order by table_schema, table_name, ordinal_position",
        [catalog, list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _sort_key(row: tuple, float_columns: set[int]) -> tuple:
    # NULLs first, then values; floats rounded so that rows differing by less than the tolerance sort together
    return tuple(
        (value is not None, round(value, 6) if i in float_columns and value is not None else value)
        for i, value in enumerate(row)
    )


def _values_equal(left: object, right: object, is_float: bool) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if is_float:
        return math.isclose(left, right, rel_tol=0.0, abs_tol=FLOAT_TOLERANCE) or (math.isnan(left) and math.isnan(right))
    return left == right


def compare_table(con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]]) -> TableComparison:
    """Rows of duckdb.<table> and spark.<table>, sorted the same way, compared pairwise (when the counts differ: the
    first rows only one side has)."""
    result = TableComparison(table)
    float_columns = {i for i, (_, data_type) in enumerate(columns) if data_type in FLOAT_TYPES}
    names = [name for name, _ in columns]
    selected = ", ".join(f'"{name}"' for name in names)
    rows = {
        engine: sorted(con.execute(f"select {selected} from {engine}.{table}").fetchall(),
                       key=lambda row: _sort_key(row, float_columns))
        for engine in ENGINES
    }
    if len(rows["duckdb"]) != len(rows["spark"]):
        result.problems.append(f"{len(rows['duckdb'])} rows on duckdb, {len(rows['spark'])} on spark")
        # pairs of sorted rows say little once one side has a row more: the rows each side has and the other lacks
        rounded = ", ".join(f"round({name}, 9)" if i in float_columns else name
                            for i, name in enumerate(f'"{name}"' for name in names))
        for engine, other in (ENGINES, ENGINES[::-1]):
            only = con.execute(f"select {rounded} from {engine}.{table} except all select {rounded} from {other}.{table} "
                               f"limit {SHOWN_DIFFERENCES}").fetchall()
            result.problems.extend(f"only on {engine}: {dict(zip(names, row))}" for row in only)
        return result
    for duck_row, spark_row in zip(rows["duckdb"], rows["spark"]):
        differing = [
            f"{names[i]}: duckdb {duck_row[i]!r} / spark {spark_row[i]!r}"
            for i in range(len(names))
            if not _values_equal(duck_row[i], spark_row[i], i in float_columns)
        ]
        if differing:
            shown = dict(zip(names, duck_row))
            result.problems.append(f"row {shown}: " + "; ".join(differing))
            if len(result.problems) >= SHOWN_DIFFERENCES:
                result.problems.append("(further differences not shown)")
                break
    return result


def compare_warehouses(duckdb_warehouse: Path, spark_warehouse: Path) -> list[TableComparison]:
    """Every table of schemas marts and reference in either warehouse, compared (a table missing on one side differs)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{duckdb_warehouse}' as duckdb (read_only)")
        con.execute(f"attach '{spark_warehouse}' as spark (read_only)")
        tables = {engine: _tables(con, engine) for engine in ENGINES}
        comparisons = []
        for table in sorted(set(tables["duckdb"]) | set(tables["spark"])):
            missing = [engine for engine in ENGINES if table not in tables[engine]]
            if missing:
                comparisons.append(TableComparison(table, [f"not built on {', '.join(missing)}"]))
            elif tables["duckdb"][table] != tables["spark"][table]:
                comparisons.append(TableComparison(
                    table, [f"columns differ: duckdb {tables['duckdb'][table]} / spark {tables['spark'][table]}"]
                ))
            else:
                comparisons.append(compare_table(con, table, tables["duckdb"][table]))
        return comparisons


@dataclass(frozen=True)
class DuckdbBuild:
    """A DuckDB build already made (the pytest test's session pipeline): its build file and published warehouse."""
    build_db: Path
    warehouse_db: Path


def _print_versions() -> None:
    # the local session runs the Spark jars pyspark ships, so pyspark's version is Spark's
    print(f"java: {java_version()}; spark {version('pyspark')} (pyspark), dbt-spark {version('dbt-spark')}, "
          f"duckdb {version('duckdb')}, dbt-duckdb {version('dbt-duckdb')}", flush=True)


def _build_duckdb(root: Path, preset: str, seed: int) -> DuckdbBuild | None:
    raw_dir = root / "raw"
    settings = engine_settings(root, raw_dir, "duckdb")
    generated = _edukpi(["generate", "--preset", preset, "--seed", str(seed), "--out", str(raw_dir), "--quiet"],
                        _env(settings, root / "dagster_home"))
    if generated.returncode != 0:
        print(generated.stdout + generated.stderr, file=sys.stderr)
        return None
    seconds = build(settings, root / "dagster_home", root / "materialize-duckdb.log")
    print(f"duckdb: {preset} preset built and published in {seconds:.0f} s (edukpi materialize)", flush=True)
    return DuckdbBuild(settings.build_db, settings.warehouse_db)


def _build_spark(root: Path, duckdb_build: DuckdbBuild, through_dagster: bool, data_tests: bool) -> bool:
    """The Spark leg; False when it failed (what it did build is published and compared all the same)."""
    if through_dagster:
        settings = engine_settings(root, root / "raw", "spark")
        try:
            seconds = build(settings, root / "dagster_home", root / "materialize-spark.log")
        except RuntimeError as error:
            print(f"spark-check: {error}", file=sys.stderr)
            publish_what_spark_built(settings)
            return False
        print(f"spark: built and published in {seconds:.0f} s (edukpi materialize)", flush=True)
        return True
    try:
        seconds = build_on_spark(duckdb_build.build_db, root, root / "dbt-spark.log", data_tests=data_tests)
    except RuntimeError as error:
        print(f"spark-check: {error}", file=sys.stderr)
        return False
    print(f"spark: hand-over, one dbt build ({'seeds, models and data tests' if data_tests else 'seeds and models'}) "
          f"and publish in {seconds:.0f} s", flush=True)
    return True


def run_check(root: Path, preset: str, seed: int, duckdb_build: DuckdbBuild | None = None,
              through_dagster: bool = False, data_tests: bool = False) -> int:
    """Both legs and the comparison under `root`; 0 when every published table is identical."""
    _print_versions()
    started = time.monotonic()
    if duckdb_build is None:
        try:
            duckdb_build = _build_duckdb(root, preset, seed)
        except RuntimeError as error:
            print(f"spark-check: {error}", file=sys.stderr)
            return 1
        if duckdb_build is None:
            return 2
    elif through_dagster:
        raise ValueError("--through-dagster builds both engines from the raw files: it takes no DuckDB build")
    spark_built = _build_spark(root, duckdb_build, through_dagster, data_tests)
    spark_warehouse = engine_settings(root, root / "raw", "spark").warehouse_db
    if not spark_warehouse.exists():
        print("spark-check: FAILED: nothing published on spark, so no mart can be compared", file=sys.stderr)
        return 1
    comparisons = compare_warehouses(duckdb_build.warehouse_db, spark_warehouse)
    for comparison in comparisons:
        print(f"  {comparison.table}: {'identical' if comparison.same else 'DIFFERS'}")
        for problem in comparison.problems:
            print(f"      {problem}")
    print(f"spark-check: {time.monotonic() - started:.0f} s in all", flush=True)
    differing = [comparison.table for comparison in comparisons if not comparison.same]
    if not spark_built and not differing:
        print("spark-check: FAILED: the Spark build failed (see its log) although every table it built is identical",
              file=sys.stderr)
        return 1
    if differing:
        print(f"spark-check: FAILED: {len(differing)} of {len(comparisons)} published tables differ between DuckDB "
              f"and Spark: {', '.join(differing)}", file=sys.stderr)
        return 1
    print(f"spark-check: the {len(comparisons)} published tables (marts and reference) are identical on DuckDB and Spark")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.spark_check", description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", type=Path, help="keep the builds here (default: a temporary folder, removed after)")
    parser.add_argument("--duckdb-build-db", type=Path,
                        help="an ingested and built DuckDB build file to start from (with --duckdb-warehouse: its "
                             "published warehouse); default: build the preset on DuckDB first")
    parser.add_argument("--duckdb-warehouse", type=Path)
    parser.add_argument("--through-dagster", action="store_true",
                        help="build Spark through `edukpi materialize` (the Dagster path) instead of one dbt build")
    parser.add_argument("--data-tests", action="store_true", help="run the dbt data tests on Spark too")
    args = parser.parse_args(argv)
    if (args.duckdb_build_db is None) != (args.duckdb_warehouse is None):
        parser.error("--duckdb-build-db and --duckdb-warehouse go together")
    duckdb_build = DuckdbBuild(args.duckdb_build_db, args.duckdb_warehouse) if args.duckdb_build_db else None
    options = dict(duckdb_build=duckdb_build, through_dagster=args.through_dagster, data_tests=args.data_tests)
    if args.work_dir:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        return run_check(args.work_dir.resolve(), args.preset, args.seed, **options)
    with tempfile.TemporaryDirectory(prefix="edukpi-spark-check-") as root:
        return run_check(Path(root), args.preset, args.seed, **options)


if __name__ == "__main__":
    sys.exit(main())
