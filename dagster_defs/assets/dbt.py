"""Every dbt model, seed and test as Dagster assets and asset checks, grouped by layer (reference → staging → intermediate → marts).

The GA4 models are partitioned by day like their source: Dagster passes the partition window to dbt as
the environment variables EDUKPI_MIN_DATE / EDUKPI_MAX_DATE (read by `var("min_date", env_var(...))`, so `--vars` still
works from the dbt CLI), so a one-day refresh rebuilds one day of the incremental aggregate.

Every dbt asset also depends directly on each of its ancestors that the other steps materialise (raw tables, the daily GA4
models): a subset run then orders the dbt step after them even when the models in between are not selected (see
`EduKpiDbtTranslator.get_asset_spec`). Builds leave dbt unit tests out; tests/test_dbt_unit.py runs them.

The dbt target is the engine of the settings (EDUKPI_ENGINE: DuckDB `build` or Spark `spark`); before dbt runs, the
calendar is written and, for Spark, the raw tables are handed over as Parquet (ingestion/spark_handoff.py).
"""
import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.asset_utils import get_upstream_unique_ids

from dagster_defs.partitions import DAILY_DBT_MODELS, daily_partitions
from dagster_defs.project import dbt_project
from dagster_defs.resources import EduKpiSettings
from ingestion.spark_handoff import prepare_dbt_inputs

LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}
DAILY_MODEL_NAMES = frozenset(DAILY_DBT_MODELS.split())
BUILT_TYPES = frozenset({"model", "seed", "snapshot"})


class EduKpiDbtTranslator(DagsterDbtTranslator):
    """Asset key and group (models keyed by schema and name, sources by their raw table = ingestion asset), and the
    dependencies that keep subset runs in order.

    `daily_step` says which of the two dbt multi-assets the translator serves: the daily GA4 models (True) or all the
    others (False); it must match the `select`/`exclude` of that `@dbt_assets`.
    """

    def __init__(self, daily_step: bool) -> None:
        super().__init__()
        self.daily_step = daily_step

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

    def _in_this_step(self, props: Mapping[str, Any]) -> bool:
        return props["resource_type"] in BUILT_TYPES and (props["name"] in DAILY_MODEL_NAMES) == self.daily_step

    def _ancestors(self, manifest: Mapping[str, Any], unique_id: str) -> set[str]:
        found: set[str] = set()
        queue = [unique_id]
        while queue:
            props = self.get_resource_props(manifest, queue.pop())
            for parent in get_upstream_unique_ids(manifest, props):
                if parent not in found:
                    found.add(parent)
                    queue.append(parent)
        return found

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        """dbt's lineage, plus a direct dependency on every ancestor that another step materialises.

        Dagster orders the steps of a run by the dependencies of the *selected* assets only. Materialising
        `raw/article_submissions` + `marts/kpi_quota_fulfilment` subsets the dbt op to the mart, whose dependencies are
        unselected models of the same op (int_… → stg_…), so nothing tied the dbt step to the raw step and the mart was
        built before the load, from the previous data. With `raw/article_submissions → kpi_quota_fulfilment` (and the same
        for every model and every ancestor outside its own op: raw tables, the daily GA4 models and their raw table) any
        subset waits for every upstream step in the run, whichever assets in between are left out. The added edges repeat
        lineage that exists anyway: `*asset` / `asset*` select the same assets as before (a one-level `+asset` now also
        takes these ancestors), and the full builds are unchanged. No partition mapping is set on any dbt dependency, so
        Dagster's default mapping applies to these edges as to the direct ones. tests/test_dbt_subset_order.py checks it.
        """
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] not in BUILT_TYPES:
            return spec
        direct = {dep.asset_key for dep in spec.deps} | {spec.key}
        outside = {
            super(EduKpiDbtTranslator, self).get_asset_spec(manifest, ancestor, project).key
            for ancestor in self._ancestors(manifest, unique_id)
            if not self._in_this_step(self.get_resource_props(manifest, ancestor))
        }
        extra = sorted(outside - direct, key=lambda key: key.to_user_string())
        if not extra:
            return spec
        return spec.replace_attributes(deps=[*spec.deps, *(dg.AssetDep(key) for key in extra)])


# dbt unit tests check the models' SQL on fixed inputs, not the data: tests/test_dbt_unit.py runs them, not every build.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]


def _dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings):
    resolved = settings.get()
    # The dbt profile reads the build file path (and the Spark folder) from the environment; make it the run's settings.
    os.environ.update(resolved.as_env())
    handed_over = prepare_dbt_inputs(resolved)
    context.log.info(f"dbt target {resolved.dbt_target} (EDUKPI_ENGINE={resolved.engine}); raw rows handed over: {handed_over}")
    yield from dbt.cli([*BUILD_ARGS, "--target", resolved.dbt_target], context=context).stream()


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=EduKpiDbtTranslator(daily_step=True),
    select=DAILY_DBT_MODELS,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="edukpi_dbt_daily",
)
def edukpi_dbt_daily(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings):
    """Build the GA4 staging view and the incremental daily aggregate for the run's days (one day or a range, one run)."""
    window = context.partition_time_window
    first, last = window.start.date().isoformat(), (window.end - dt.timedelta(days=1)).date().isoformat()
    context.log.info(f"dbt window {first} … {last}")
    # Passed as environment variables, not --vars: a change of --vars makes dbt re-parse the whole project (5–10 s), a
    # change of an env_var() value only the file that reads it (int_portal_ga4_daily.sql).
    os.environ.update({"EDUKPI_MIN_DATE": first, "EDUKPI_MAX_DATE": last})
    try:
        yield from _dbt_build(context, dbt, settings)
    finally:
        for name in ("EDUKPI_MIN_DATE", "EDUKPI_MAX_DATE"):
            os.environ.pop(name, None)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=EduKpiDbtTranslator(daily_step=False),
    exclude=DAILY_DBT_MODELS,
    name="edukpi_dbt_models",
)
def edukpi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings):
    """Build the seeds and every other dbt model and run their tests (shown as asset checks) on the build warehouse."""
    yield from _dbt_build(context, dbt, settings)
