"""Every dbt model, seed and test as Dagster assets and asset checks, grouped by layer (reference → staging → intermediate → marts)."""

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

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


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=EduKpiDbtTranslator(),
)
def edukpi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings):
    """Build the selected dbt seeds and models and run their tests (shown as asset checks) on the build warehouse."""
    # The dbt profile reads the build file path from the environment; make it the run's resolved settings.
    os.environ.update(settings.get().as_env())
    yield from dbt.cli(["build"], context=context).stream()
