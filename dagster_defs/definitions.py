"""The Dagster code location: sources → staging → marts → published warehouse and reports."""
from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg

from dagster_defs.assets.calendar import calendar_days
from dagster_defs.assets.dbt import edukpi_dbt
from dagster_defs.assets.ingestion import ingestion_assets
from dagster_defs.assets.nudges import nudges
from dagster_defs.assets.publish import kpi_reports, published_warehouse
from dagster_defs.jobs import (
    analytics_daily_job,
    build_all_job,
    analytics_daily_schedule,
    portal_refresh_job,
    refresh_job,
    refresh_schedule,
)
from dagster_defs.project import dbt_project
from dagster_defs.resources import EduKpiDbtCli, EduKpiSettings
from dagster_defs.sensors import raw_files_sensor

defs = dg.Definitions(
    assets=[*ingestion_assets, calendar_days, edukpi_dbt, published_warehouse, kpi_reports,
            nudges],
    jobs=[analytics_daily_job, build_all_job, portal_refresh_job, refresh_job],
    schedules=[analytics_daily_schedule, refresh_schedule],
    sensors=[raw_files_sensor],
    resources={
        # The dbt of this environment, whatever PATH says (dagster dev, CLI and tests all run from the venv), through
        # `edukpi-dbt`: a dbt process started ahead by `edukpi materialize` if there is one, else `dbt` itself
        # (dagster_defs/dbt_warm.py).
        "dbt": EduKpiDbtCli(project_dir=dbt_project(), dbt_executable=str(Path(sys.executable).with_name("edukpi-dbt"))),
        "settings": EduKpiSettings(),
    },
    # One process writes the build DuckDB at a time; in-process also avoids a process start per step.
    executor=dg.in_process_executor,
)
