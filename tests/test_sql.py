"""Staff SQL on the published warehouse: answers queries, and refuses writes, ATTACH, file access and extensions clearly."""
from __future__ import annotations

import polars as pl
import pytest

from .conftest import BuiltPipeline, run_edukpi


def test_query_prints_a_number(built_pipeline: BuiltPipeline) -> None:
    result = run_edukpi(["sql", "select count(*) as units_quarters from marts.kpi_quota_fulfilment"], built_pipeline.env)
    assert result.returncode == 0, result.stderr
    assert "units_quarters" in result.stdout
    digits = [token for token in result.stdout.replace("│", " ").split() if token.isdigit()]
    assert digits and int(digits[-1]) > 0


def test_csv_and_xlsx_export(built_pipeline: BuiltPipeline, tmp_path) -> None:
    csv_path, xlsx_path = tmp_path / "q.csv", tmp_path / "q.xlsx"
    sql = "select unit_code, quarter, articles_submitted from marts.kpi_quota_fulfilment order by 1, 2"
    assert run_edukpi(["sql", sql, "--csv", str(csv_path)], built_pipeline.env).returncode == 0
    assert run_edukpi(["sql", sql, "--xlsx", str(xlsx_path)], built_pipeline.env).returncode == 0
    from_csv = pl.read_csv(csv_path)
    from_xlsx = pl.read_excel(xlsx_path)
    assert from_csv.height > 0 and from_csv.height == from_xlsx.height
    assert from_csv["articles_submitted"].to_list() == from_xlsx["articles_submitted"].to_list()


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("create table marts.x as select 1", "read-only"),
        ("delete from marts.kpi_quota_fulfilment", "read-only"),
        ("attach '/tmp/other.duckdb' as other", "disabled by configuration"),
        ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
        ("copy marts.kpi_quota_fulfilment to '/tmp/leak.csv'", "disabled by configuration"),
        ("install httpfs", "disabled by configuration"),
        ("load httpfs", "disabled through configuration"),
        ("set enable_external_access = true", "locked"),
    ],
)
def test_forbidden_statements_fail_clearly(built_pipeline: BuiltPipeline, statement: str, message: str) -> None:
    result = run_edukpi(["sql", statement], built_pipeline.env)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_staff_see_no_raw_or_free_text_tables(built_pipeline: BuiltPipeline) -> None:
    result = run_edukpi(
        ["sql", "select distinct table_schema from information_schema.tables order by 1"], built_pipeline.env
    )
    assert result.returncode == 0
    assert "raw" not in result.stdout.split()
    assert "quarantine" not in result.stdout
