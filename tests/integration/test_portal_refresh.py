"""What `edukpi materialize --days` (job portal_refresh) rebuilds, and when it builds everything instead.

The run itself (one run, one dbt invocation, other marts untouched) is checked on the real stack in
tests/e2e/test_reliability.py (late_delivery)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg
import duckdb

from edukpi.settings import Settings


def test_portal_refresh_selects_what_reads_the_analytics_and_nothing_else() -> None:
    from dagster_defs.assets.dbt import DAILY_DBT_KEYS
    from dagster_defs.definitions import defs
    from dagster_defs.jobs import PORTAL_REFRESH_DBT_KEYS

    job = defs.get_repository_def().get_job("portal_refresh")
    selected = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert {"raw/ga4_events", "raw/access_log_hits", "marts/fct_portal_daily", "marts/kpi_portal_monthly",
            "published/warehouse", "published/kpi_reports"} <= selected
    # Tabular sources, the calendar and marts that do not read the analytics are left as they are.
    assert not selected & {"raw/article_submissions", "raw/calendar_days", "marts/kpi_quota_fulfilment", "marts/dim_date",
                           "marts/fct_feedback_tickets", "published/nudges"}, sorted(selected)
    assert {"staging/stg_ga4__events", "intermediate/int_portal_ga4_daily"} <= {k.to_user_string() for k in DAILY_DBT_KEYS}
    assert DAILY_DBT_KEYS <= PORTAL_REFRESH_DBT_KEYS
    assert job.partitions_def is not None  # the days are partitions of this job, as of analytics_daily


def test_only_the_raw_analytics_assets_are_partitioned_and_dbt_takes_the_runs_days() -> None:
    """One materialisation event per day is written for the raw analytics tables only; the daily dbt models get the
    run's days as their window (a range, one day, or every day for a run without days)."""
    from dagster_defs.assets.dbt import edukpi_dbt, run_days
    from dagster_defs.definitions import defs

    partitioned = {key.to_user_string() for key, node in ((n.key, n) for n in defs.resolve_asset_graph().asset_nodes)
                   if node.partitions_def is not None}
    assert partitioned == {"raw/ga4_events", "raw/access_log_hits"}
    assert all(spec.partitions_def is None for spec in edukpi_dbt.specs)
    assert run_days({"dagster/asset_partition_range_start": "2024-01-01",
                     "dagster/asset_partition_range_end": "2024-03-31"}) == ("2024-01-01", "2024-03-31")
    assert run_days({"dagster/partition": "2024-02-29"}) == ("2024-02-29", "2024-02-29")
    assert run_days({"dagster/job": "refresh"}) == (None, None)


def test_days_refresh_builds_everything_when_the_build_file_lacks_other_marts(tmp_path: Path) -> None:
    from dagster_defs.assets.dbt import edukpi_dbt
    from dagster_defs.jobs import PORTAL_REFRESH_DBT_KEYS
    from edukpi.cli import _models_not_built

    settings = dataclasses.replace(Settings.from_env(), build_db=tmp_path / "build" / "warehouse.duckdb")
    assert "kpi_quota_fulfilment" in _models_not_built(settings)  # no build file at all

    settings.build_db.parent.mkdir(parents=True)
    kept = sorted(key.path[-1] for key in edukpi_dbt.keys - PORTAL_REFRESH_DBT_KEYS)
    with duckdb.connect(str(settings.build_db)) as con:
        for name in kept[1:]:
            con.execute(f'create table "{name}" (x integer)')
    assert _models_not_built(settings) == [kept[0]]
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute(f'create table "{kept[0]}" (x integer)')
    assert _models_not_built(settings) == []
    assert dg.AssetKey(["marts", "fct_portal_daily"]) in PORTAL_REFRESH_DBT_KEYS
