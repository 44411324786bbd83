"""Every dbt model, seed and test as Dagster assets and asset checks, grouped by layer (reference → staging → intermediate → marts).

The GA4 models are partitioned by day like their source: Dagster passes the partition window to dbt as
`--vars {"min_date", "max_date"}`, so a one-day refresh rebuilds one day of the incremental aggregate.
"""
import datetime as dt
import json
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from dagster_defs.partitions import DAILY_DBT_MODELS, daily_partitions
from dagster_defs.project import dbt_project
from dagster_defs.resources import EduKpiSettings

LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


class EduKpiDbtTranslator(DagsterDbtTranslator):
    """Only sets asset key and group: models are keyed by schema and name, sources by their raw table (= ingestion asset)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "reference"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        for part in fqn[1:-1]:
            if part in LAYER_GROUPS:
                return LAYER_GROUPS[part]
        return "marts"


def _dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings, extra_args: list[str]):
    # The dbt profile reads the build file path from the environment; make it the run's resolved settings.
    os.environ.update(settings.get().as_env())
    yield from dbt.cli(["build", *extra_args], context=context).stream()


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=EduKpiDbtTranslator(),
    select=DAILY_DBT_MODELS,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="edukpi_dbt_daily",
)
def edukpi_dbt_daily(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings):
    """Build the GA4 staging view and the incremental daily aggregate for the run's days (one day or a range, one run)."""
    window = context.partition_time_window
    dbt_vars = {
        "min_date": window.start.date().isoformat(),
        "max_date": (window.end - dt.timedelta(days=1)).date().isoformat(),
    }
    context.log.info(f"dbt window {dbt_vars['min_date']} … {dbt_vars['max_date']}")
    yield from _dbt_build(context, dbt, settings, ["--vars", json.dumps(dbt_vars)])


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=EduKpiDbtTranslator(),
    exclude=DAILY_DBT_MODELS,
    name="edukpi_dbt_models",
)
def edukpi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings):
    """Build the seeds and every other dbt model and run their tests (shown as asset checks) on the build warehouse."""
    yield from _dbt_build(context, dbt, settings, [])
