"""Publishing the staff's warehouse (dagster_defs/assets/publish.py): the marts and reference tables with their comments,
and, when Dagster's records show which tables a run did not rebuild, those kept from the last publish."""
from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_defs.assets.publish import publish_warehouse, published_warehouse
from dagster_defs.resources import EduKpiSettings


def _build(path: Path, statements: list[str]) -> Path:
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    return path


def _rows(db: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select * from {table} order by all").fetchall()


BUILD = [
    "create schema marts", "create schema reference", "create schema staging",
    "create table marts.fct_portal_daily as select 1 as n", "comment on table marts.fct_portal_daily is 'Lượt xem'",
    "comment on column marts.fct_portal_daily.n is 'Số lượt'",
    "create table marts.kpi_headline as select 'a' as metric",
    "create table reference.unit_type_quota as select 'district_office' as unit_type, 3 as quota",
    "create table staging.stg_secret as select 'Nguyễn Văn A' as name",
]


@pytest.fixture
def build_db(tmp_path: Path) -> Path:
    return _build(tmp_path / "build.duckdb", BUILD)


def test_publish_copies_marts_and_reference_with_their_comments(build_db: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    counts = publish_warehouse(build_db, warehouse)
    assert counts == {"marts.fct_portal_daily": 1, "marts.kpi_headline": 1, "reference.unit_type_quota": 1}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select comment from duckdb_tables() where table_name = 'fct_portal_daily'").fetchone() == ("Lượt xem",)
        assert con.execute("select comment from duckdb_columns() where table_name = 'fct_portal_daily'").fetchone() == ("Số lượt",)
        assert con.execute("select count(*) from duckdb_tables() where schema_name = 'staging'").fetchone() == (0,)


def test_unchanged_tables_are_kept_from_the_published_file(build_db: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    publish_warehouse(build_db, warehouse)
    _build(build_db, ["update marts.fct_portal_daily set n = 2", "update marts.kpi_headline set metric = 'b'"])
    counts = publish_warehouse(build_db, warehouse, unchanged={("marts", "kpi_headline"), ("reference", "unit_type_quota")})
    assert _rows(warehouse, "marts.fct_portal_daily") == [(2,)]
    # Said to be unchanged: taken from the published file, not the build (where it did change, behind the caller's back).
    assert _rows(warehouse, "marts.kpi_headline") == [("a",)]
    assert counts["marts.kpi_headline"] == 1 and len(counts) == 3
    with duckdb.connect(str(warehouse), read_only=True) as con:  # the rebuilt table has its comments again
        assert con.execute("select comment from duckdb_tables() where table_name = 'fct_portal_daily'").fetchone() == ("Lượt xem",)
    assert not list(tmp_path.glob(".warehouse.duckdb.*.tmp"))


def test_a_table_set_that_differs_means_every_table_is_copied(build_db: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    publish_warehouse(build_db, warehouse)
    _build(build_db, ["update marts.kpi_headline set metric = 'b'", "create table marts.kpi_new as select 1 as x"])
    publish_warehouse(build_db, warehouse, unchanged={("marts", "kpi_headline")})
    assert _rows(warehouse, "marts.kpi_headline") == [("b",)]
    assert _rows(warehouse, "marts.kpi_new") == [(1,)]


def _report(instance: dg.DagsterInstance, *keys: str) -> None:
    for key in keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=dg.AssetKey(key.split("/"))))


def _publish(instance: dg.DagsterInstance, build_db: Path, warehouse: Path) -> dict:
    result = dg.materialize([published_warehouse], instance=instance, resources={
        "settings": EduKpiSettings(build_db=str(build_db), warehouse_db=str(warehouse))})
    (event,) = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


def test_the_asset_keeps_the_tables_no_run_rebuilt_since_its_last_publish(build_db: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with dg.DagsterInstance.ephemeral() as instance:
        _report(instance, "marts/fct_portal_daily", "marts/kpi_headline")
        assert _publish(instance, build_db, warehouse)["tables_kept_unchanged"] == 0  # no publish before
        _build(build_db, ["update marts.fct_portal_daily set n = 2", "update marts.kpi_headline set metric = 'b'"])
        _report(instance, "marts/fct_portal_daily")  # only this one was rebuilt by a run
        meta = _publish(instance, build_db, warehouse)
        # kpi_headline kept (its record is older than the last publish); the seed has no record here: copied.
        assert meta["tables_kept_unchanged"] == 1
        assert _rows(warehouse, "marts.fct_portal_daily") == [(2,)]
        assert _rows(warehouse, "marts.kpi_headline") == [("a",)]
        # Another build file: its tables are not the ones published, nothing is kept.
        other = _build(tmp_path / "other.duckdb", BUILD)
        assert _publish(instance, other, warehouse)["tables_kept_unchanged"] == 0
        assert _rows(warehouse, "marts.fct_portal_daily") == [(1,)]
