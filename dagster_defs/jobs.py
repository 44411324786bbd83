"""Jobs and the daily schedules: the partitioned analytics days first, then everything that is not partitioned by day.

The schedules start RUNNING: `make dev` (dagster dev, with its daemon) runs them without a click in the UI. Runs wait for
each other (`max_concurrent_runs: 1` in the Dagster home's dagster.yaml): one process writes the build DuckDB at a time.
"""
from __future__ import annotations

import dagster as dg

from edukpi.settings import LOCAL_TZ

from dagster_defs.assets.dbt import DAILY_DBT_KEYS, FULL_BUILD_JOB, dbt_keys_reading
from dagster_defs.assets.ingestion import ingestion_assets
from dagster_defs.assets.publish import kpi_reports, published_warehouse
from dagster_defs.partitions import daily_partitions

DAILY_RAW_KEYS = [asset.key for asset in ingestion_assets if asset.partitions_def == daily_partitions]

# Analytics loaded and aggregated day by day (daily partitions, single-run backfills): the sources loaded per day and
# the dbt models tagged `daily`.
DAILY_SELECTION = dg.AssetSelection.assets(*DAILY_RAW_KEYS, *DAILY_DBT_KEYS)

analytics_daily_job = dg.define_asset_job(
    name="analytics_daily",
    selection=DAILY_SELECTION,
    description=(
        "Load one day (or a range of days, in one run) of portal analytics (GA4 export, access logs) and aggregate GA4 by day."
    ),
)

# The dbt assets of portal_refresh: the daily models and every model reading the analytics (below).
PORTAL_REFRESH_DBT_KEYS = DAILY_DBT_KEYS | dbt_keys_reading(DAILY_RAW_KEYS)

# What new analytics days reach: their load, the daily dbt models over those days, the models and marts that read the
# analytics (one dbt invocation, tests of those models only), the publish and the reports. Every other mart keeps its rows.
portal_refresh_job = dg.define_asset_job(
    name="portal_refresh",
    selection=DAILY_SELECTION | dg.AssetSelection.assets(*PORTAL_REFRESH_DBT_KEYS, published_warehouse, kpi_reports),
    description=(
        "Load one day (or a range of days, in one run) of portal analytics, rebuild the models and marts that read the "
        "analytics in one dbt invocation, publish the warehouse, render the reports. Other marts keep their rows "
        "(`edukpi materialize --days`)."
    ),
)

# `edukpi materialize` with analytics days to load: everything in one run and one dbt invocation (one dbt start-up and
# parse, one run to create and watch), the days as the run's partition range.
build_all_job = dg.define_asset_job(
    name=FULL_BUILD_JOB,
    selection=dg.AssetSelection.all(),
    description=(
        "Everything in one run: load a range of analytics days and every other source, build every dbt model and test in "
        "one dbt invocation, publish the warehouse, render the reports (`edukpi materialize`)."
    ),
)

refresh_job = dg.define_asset_job(
    name="refresh",
    selection=dg.AssetSelection.all() - DAILY_SELECTION,
    description=(
        "Load submissions, feedback and page reports, build every dbt model and test, publish the warehouse, render the reports."
    ),
)

# GA4 restates the last three days: each morning reload yesterday (the sensor catches re-delivered older days).
analytics_daily_schedule = dg.build_schedule_from_partitioned_job(
    analytics_daily_job,
    hour_of_day=5,
    minute_of_hour=30,
    name="analytics_daily_schedule",
    description="Every morning at 05:30: load yesterday's portal analytics (GA4 export, access logs) and aggregate them.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

refresh_schedule = dg.ScheduleDefinition(
    name="refresh_daily_schedule",
    job=refresh_job,
    cron_schedule="0 6 * * *",
    execution_timezone=LOCAL_TZ,
    description="Every morning at 06:00 (after the analytics load): rebuild the KPIs, publish, render the reports.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
