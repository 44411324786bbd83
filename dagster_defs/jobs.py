"""Jobs and the daily schedules: the partitioned analytics days first, then everything that is not partitioned by day.

The schedules start RUNNING: `make dev` (dagster dev, with its daemon) runs them without a click in the UI. Runs wait for
each other (`max_concurrent_runs: 1` in the Dagster home's dagster.yaml): one process writes the build DuckDB at a time.
"""
from __future__ import annotations

import dagster as dg

from dagster_defs.partitions import DAILY_ASSET_KEYS

# Analytics loaded and aggregated day by day (daily partitions, single-run backfills).
DAILY_KEYS = [dg.AssetKey.from_user_string(key) for key in DAILY_ASSET_KEYS]

analytics_daily_job = dg.define_asset_job(
    name="analytics_daily",
    selection=dg.AssetSelection.assets(*DAILY_KEYS),
    description=(
        "Load one day (or a range of days, in one run) of portal analytics (GA4 export, access logs) and aggregate GA4 by day."
    ),
)

refresh_job = dg.define_asset_job(
    name="refresh",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*DAILY_KEYS),
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
    execution_timezone="Asia/Ho_Chi_Minh",
    description="Every morning at 06:00 (after the analytics load): rebuild the KPIs, publish, render the reports.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
