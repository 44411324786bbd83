"""The comparison of `make spark-check` names every published table that differs, and EDUKPI_ENGINE picks the dbt target.

Fast (DuckDB files made here, no Spark): the whole-pipeline comparison is tests/e2e/test_spark_check.py."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from edukpi.settings import Settings
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


def test_a_missing_row_is_shown_as_the_rows_each_side_lacks(tmp_path: Path) -> None:
    duck = _warehouse(tmp_path / "duck.duckdb", [
        "create table marts.kpi_counts as select * from (values ('A', 1), ('B', 2), ('C', 3)) as t(unit_code, articles)",
    ])
    spark = _warehouse(tmp_path / "spark.duckdb", [
        "create table marts.kpi_counts as select * from (values ('A', 1), ('C', 3)) as t(unit_code, articles)",
    ])

    (comparison,) = compare_warehouses(duck, spark)

    assert comparison.problems == ["3 rows on duckdb, 2 on spark", "only on duckdb: {'unit_code': 'B', 'articles': 2}"]
