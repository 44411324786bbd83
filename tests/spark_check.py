"""Builds one generated preset on both engines (DuckDB and Spark) and compares every published table row for row.

Run as `python -m tests.spark_check`; `make spark-check` runs it through tests/e2e/test_spark_check.py (marked `spark`,
left out of `make test`). Each engine gets the whole pipeline through `edukpi materialize` with EDUKPI_ENGINE set, from
the same raw files, into folders of its own; then the two published warehouses (schemas marts and reference, both DuckDB files) are compared: the same tables,
the same columns and types, the same rows (floats equal within 1e-9). Prints the first differences and exits non-zero
naming every table that differs or could not be built. Nothing is skipped: a table one engine lacks is a difference.
"""
from __future__ import annotations

import argparse
import math
import os
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
    """Rows of duckdb.<table> and spark.<table>, sorted the same way, compared pairwise."""
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


def run_check(root: Path, preset: str, seed: int) -> int:
    print(f"java: {java_version()}; pyspark {version('pyspark')}, dbt-spark {version('dbt-spark')}, "
          f"duckdb {version('duckdb')}, dbt-duckdb {version('dbt-duckdb')}", flush=True)
    raw_dir = root / "raw"
    generated = _edukpi(["generate", "--preset", preset, "--seed", str(seed), "--out", str(raw_dir), "--quiet"],
                        _env(engine_settings(root, raw_dir, "duckdb"), root / "dagster_home"))
    if generated.returncode != 0:
        print(generated.stdout + generated.stderr, file=sys.stderr)
        return 2
    seconds: dict[str, float] = {}
    built_partly = False
    for engine in ENGINES:
        settings = engine_settings(root, raw_dir, engine)
        try:
            seconds[engine] = build(settings, root / "dagster_home", root / f"materialize-{engine}.log")
        except RuntimeError as error:
            print(f"spark-check: {error}", file=sys.stderr)
            if not publish_what_spark_built(settings):
                print(f"spark-check: FAILED: nothing published on {engine}, so no mart can be compared", file=sys.stderr)
                return 1
            built_partly = True
            print(f"{engine}: the build failed; the tables Spark did build are compared (the others: 'not built')",
                  flush=True)
            continue
        print(f"{engine}: {preset} preset built and published in {seconds[engine]:.0f} s", flush=True)
    comparisons = compare_warehouses(
        engine_settings(root, raw_dir, "duckdb").warehouse_db, engine_settings(root, raw_dir, "spark").warehouse_db
    )
    for comparison in comparisons:
        print(f"  {comparison.table}: {'identical' if comparison.same else 'DIFFERS'}")
        for problem in comparison.problems:
            print(f"      {problem}")
    differing = [comparison.table for comparison in comparisons if not comparison.same]
    if built_partly and not differing:
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
    args = parser.parse_args(argv)
    if args.work_dir:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        return run_check(args.work_dir.resolve(), args.preset, args.seed)
    with tempfile.TemporaryDirectory(prefix="edukpi-spark-check-") as root:
        return run_check(Path(root), args.preset, args.seed)


if __name__ == "__main__":
    sys.exit(main())
