"""The Spark engine gives the same published marts as DuckDB (`make spark-check`), and the check notices when it does not."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion.settings import PROJECT_ROOT, Settings
from tests.spark_check import compare_warehouses


def _warehouse(path: Path, statements: list[str]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema reference")
        for statement in statements:
            con.execute(statement)
    return path


def test_comparison_names_every_table_that_differs(tmp_path: Path) -> None:
    common = [
        "create table reference.unit_type_quota as select 'district_office' as unit_type, 3 as quota",
        "create table marts.kpi_same as select * from (values (1, 0.1::double + 0.2::double), (2, 1.5::double)) as t(id, share)",
    ]
    duck = _warehouse(tmp_path / "duck.duckdb", [
        *common,
        "create table marts.kpi_rounded as select * from (values (1, 118.7::double)) as t(id, seconds)",
        "create table marts.kpi_only_on_duckdb as select 1 as id",
        "create table marts.kpi_null as select * from (values ('A', cast(null as varchar))) as t(unit_code, parent_code)",
    ])
    spark = _warehouse(tmp_path / "spark.duckdb", [
        *common[:1],
        # within 1e-9 of DuckDB's row: equal
        "create table marts.kpi_same as select * from (values (2, 1.5::double), (1, 0.3::double)) as t(id, share)",
        "create table marts.kpi_rounded as select * from (values (1, 118.6::double)) as t(id, seconds)",
        "create table marts.kpi_null as select * from (values ('A', 'None')) as t(unit_code, parent_code)",
    ])

    by_table = {comparison.table: comparison for comparison in compare_warehouses(duck, spark)}

    assert {table for table, comparison in by_table.items() if comparison.same} == {
        "marts.kpi_same", "reference.unit_type_quota"
    }
    assert by_table["marts.kpi_only_on_duckdb"].problems == ["not built on spark"]
    assert "seconds: duckdb 118.7 / spark 118.6" in by_table["marts.kpi_rounded"].problems[0]
    assert "parent_code: duckdb None / spark 'None'" in by_table["marts.kpi_null"].problems[0]


def test_engine_setting_selects_the_dbt_target(tmp_path: Path) -> None:
    assert Settings.from_env({}).dbt_target == "build"
    spark = Settings.from_env({"EDUKPI_ENGINE": "Spark", "EDUKPI_BUILD_DB": str(tmp_path / "build" / "w.duckdb")})
    assert (spark.engine, spark.dbt_target) == ("spark", "spark")
    assert spark.spark_dir == tmp_path / "build" / "spark"
    assert spark.as_env()["EDUKPI_SPARK_DIR"] == str(tmp_path / "build" / "spark")
    with pytest.raises(ValueError, match="EDUKPI_ENGINE='bigquery'.*accepted: duckdb, spark"):
        Settings.from_env({"EDUKPI_ENGINE": "bigquery"})


def test_spark_check_tiny_preset_marts_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The whole pipeline on both engines (the real `edukpi materialize`, dbt-duckdb and dbt-spark on a local pyspark), then
    every published table compared row for row. Slow: two full builds, one with a Spark session (several minutes)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.spark_check", "--preset", "tiny", "--work-dir", str(tmp_path)],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    output = done.stdout + done.stderr
    with capsys.disabled():
        # the versions it ran with, and the build times, in the test log
        print("\n" + "\n".join(line for line in done.stdout.splitlines() if not line.startswith("  ")))
    assert done.returncode == 0, output[-8000:]
    assert "java: openjdk version \"17" in done.stdout, done.stdout[:500]
    compared = [line.strip() for line in done.stdout.splitlines() if line.startswith("  ") and line.strip().endswith(("identical", "DIFFERS"))]
    # every mart of the project and the three reference tables, none left out
    marts = sorted(path.stem for path in (PROJECT_ROOT / "dbt_project" / "models" / "marts").glob("*.sql"))
    assert sorted(line.split(":")[0] for line in compared if line.startswith("marts.")) == [f"marts.{m}" for m in marts]
    assert all(line.endswith("identical") for line in compared), compared
