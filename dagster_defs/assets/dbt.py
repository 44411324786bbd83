"""Every dbt model, seed and test as Dagster assets and asset checks, grouped by layer (reference → staging → intermediate → marts).

One multi-asset (`edukpi_dbt`, one op): every run builds whatever dbt assets it selects in one dbt invocation. No dbt
asset is partitioned in Dagster. The models tagged `daily` in dbt (those over the GA4 events) are incremental by day in
dbt: when a run over analytics days (its partition or partition range, from the raw daily assets) selects them, those
days go to dbt as the environment variables EDUKPI_MIN_DATE / EDUKPI_MAX_DATE (read by the dbt macro `analytics_days`,
after `var("min_date")`, so `--vars` still works from the dbt CLI). A one-day refresh rebuilds one day of the incremental aggregate, and the marts
that read it in the same invocation (the `portal_refresh` job, dagster_defs/jobs.py); a run without days, and the full
build (`build_all`, whose partition range only spans the analytics files), rebuild every day. The portal's other
incremental models (access log, pages, the monthly visitors and top pages) take the same window. Partitioning these models in Dagster as well cost one materialisation event per day and model (3 x 547 for the
tiny preset's 18 months, ~8 ms each: about 13 s of every full build) and told nothing the raw tables' partitions do not.

Every dbt asset also depends directly on each of its ancestors that other steps materialise (the raw tables): a subset
run then orders the dbt step after them even when the models in between are not selected (see
`EduKpiDbtTranslator.get_asset_spec`). Builds leave dbt unit tests out; tests/integration/test_dbt_unit.py runs them.

The dbt target is the engine of the settings (EDUKPI_ENGINE: DuckDB `build` or Spark `spark`); before dbt runs on Spark,
the raw tables are handed over as Parquet (ingestion/spark_handoff.py).
"""
import functools
import json
import os
import shutil
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.asset_utils import get_upstream_unique_ids
from dagster_dbt.core.dbt_cli_invocation import PARTIAL_PARSE_FILE_NAME as PARTIAL_PARSE_FILE
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG, PARTITION_NAME_TAG

from dagster_defs.assets.calendar import calendar_days
from dagster_defs.partitions import DAILY_DBT_TAG
from dagster_defs.project import dbt_project
from dagster_defs.resources import EduKpiSettings
from edukpi.settings import Settings
from ingestion.build_db import connect
from ingestion.spark_handoff import hand_over_raw_tables

# dbt sources whose asset has upstreams dbt does not know: the calendar is written after every source load (its range
# follows their dates). A dbt asset downstream of it depends directly on those as well (the rule of get_asset_spec).
UPSTREAMS_OUTSIDE_DBT: dict[dg.AssetKey, tuple[dg.AssetKey, ...]] = {
    calendar_days.key: tuple(sorted(calendar_days.asset_deps[calendar_days.key], key=lambda key: key.to_user_string())),
}
LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}
DAILY_DBT_SELECTION = f"tag:{DAILY_DBT_TAG}"
# `edukpi materialize` without --days (dagster_defs/jobs.py): its dbt step recomputes every day.
FULL_BUILD_JOB = "build_all"
BUILT_TYPES = frozenset({"model", "seed", "snapshot"})


class EduKpiDbtTranslator(DagsterDbtTranslator):
    """Asset key and group (models keyed by schema and name, sources by their raw table = ingestion asset), and the
    dependencies that keep subset runs in order."""

    def __init__(self) -> None:
        super().__init__()
        # dagster-dbt asks for a node's spec again for each node and test that depends on it (~1,200 calls for ~600
        # nodes when the definitions load): each answer walks the node's ancestors, so it is kept per manifest and node.
        self._specs: dict[tuple[int, str], dg.AssetSpec] = {}

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            # The raw table it reads (schema raw, its identifier), whatever the source is called in dbt: sources named
            # after their system (facebook.posts -> raw.facebook_posts) key to the ingestion asset raw/facebook_posts.
            table = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return dg.AssetKey([dbt_resource_props.get("schema") or dbt_resource_props["source_name"], table])
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
        return props["resource_type"] in BUILT_TYPES

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
        for every model and every ancestor outside its own op: the raw tables) any
        subset waits for every upstream step in the run, whichever assets in between are left out. The added edges repeat
        lineage that exists anyway: `*asset` / `asset*` select the same assets as before (a one-level `+asset` now also
        takes these ancestors), and the full builds are unchanged. No partition mapping is set on any dbt dependency, so
        Dagster's default mapping applies to these edges as to the direct ones. tests/integration/test_dbt_subset_order.py checks it.
        """
        cache_key = (id(manifest), unique_id)
        if cache_key not in self._specs:
            self._specs[cache_key] = self._asset_spec(manifest, unique_id, project)
        return self._specs[cache_key]

    def _asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
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
        outside |= {upstream for key in outside for upstream in UPSTREAMS_OUTSIDE_DBT.get(key, ())}
        extra = sorted(outside - direct, key=lambda key: key.to_user_string())
        if not extra:
            return spec
        return spec.replace_attributes(deps=[*spec.deps, *(dg.AssetDep(key) for key in extra)])


    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetCheckSpec | None:
        """dagster-dbt 0.29 takes a check's description from the test's `meta.description` only; the ymls give data tests
        a plain `description:` (what dbt docs show), so that one is used when meta has none."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        description = (self.get_resource_props(manifest, unique_id).get("description") or "").strip()
        return spec._replace(description=description) if description else spec


# dbt unit tests check the models' SQL on fixed inputs, not the data: tests/integration/test_dbt_unit.py runs them, not every build.
# --no-write-json: dbt would write manifest.json (2.4 MB) twice per invocation, before and after the nodes (0.9 s of a
# one-day refresh's 6 s of dbt), and run_results.json; nothing reads them. The node results are in the invocation's dbt.log
# (`edukpi.runtime.dbt_log_results`), the partial-parse state is written either way, and Dagster has the manifest from `make manifest`.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test", "--no-write-json"]


def _dbt_env(settings: EduKpiSettings, first_day: str | None = None, last_day: str | None = None) -> dict[str, str | None]:
    """What dbt's process gets: the run's resolved settings (the profile reads the build file path) and the window of
    days of the daily models (None: unset, every day).

    Tests are selected cautiously: a test runs only when every model it reads is built in the same invocation. A test
    reading several marts (assert_article_counts_reconcile compares the quota, the pipeline and the headline) would
    otherwise run in a subset run that rebuilt one of them against the others' old rows (or against marts a fresh build
    file does not have yet) and fail for that reason alone. Full builds select every model, so every test runs there."""
    return {**settings.get().as_env(), "EDUKPI_MIN_DATE": first_day, "EDUKPI_MAX_DATE": last_day,
            "DBT_INDIRECT_SELECTION": "cautious"}


def _target_args(settings: EduKpiSettings) -> list[str]:
    """The dbt target of the run's engine (EDUKPI_ENGINE): `build` on DuckDB, `spark` on Spark."""
    return ["--target", settings.get().dbt_target]


def _dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings,
               first_day: str | None = None, last_day: str | None = None):
    resolved = settings.get()
    # Every raw table exists before dbt reads it (a subset run may select no ingestion asset): connecting creates them.
    connect(resolved.build_db).close()
    handed_over = hand_over_raw_tables(resolved)
    context.log.info(f"dbt target {resolved.dbt_target} (EDUKPI_ENGINE={resolved.engine})"
                     + (f"; raw rows handed over as Parquet: {handed_over}" if handed_over else ""))
    target_path = _with_saved_parse_state(dbt._get_unique_target_path(context=context), resolved)
    invocation = dbt.cli([*BUILD_ARGS, *_target_args(settings)], context=context, target_path=target_path,
                         env=_dbt_env(settings, first_day, last_day))
    yield from invocation.stream()
    _save_parse_state(invocation.target_path, resolved)


def _with_saved_parse_state(target_path: Path, resolved: Settings) -> Path:
    """The invocation's target folder, holding this build's saved partial-parse state when there is one (dagster-dbt
    copies make manifest's state only into a target folder that has none yet)."""
    saved_state = resolved.dbt_parse_state
    if saved_state.exists():
        absolute_target = target_path if target_path.is_absolute() else dbt_project().project_dir / target_path
        absolute_target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved_state, absolute_target / PARTIAL_PARSE_FILE)
    return target_path


def _save_parse_state(target_path: Path, resolved: Settings) -> None:
    """Keep the partial-parse state the invocation wrote as this build's, for its next invocation."""
    written = target_path / PARTIAL_PARSE_FILE
    if written.exists():
        saved_state = resolved.dbt_parse_state
        staged = saved_state.with_name(f".{saved_state.name}.{os.getpid()}.tmp")
        shutil.copyfile(written, staged)
        os.replace(staged, saved_state)


@functools.cache
def _manifest() -> dict[str, Any]:
    """`make manifest`'s manifest, read once per process (2.4 MB of JSON, ~0.3 s; more under load)."""
    return json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))


def _existing_relations(settings: EduKpiSettings, names: frozenset[str]) -> set[str]:
    """Which of these dbt relations the build file holds. Opening it also creates every raw table (and the quarantine,
    the ledger, the calendar) from the contracts' DDL, so a build finds every dbt source whatever files were delivered."""
    con = connect(settings.get().build_db)
    try:
        rows = con.execute("select table_name from information_schema.tables where table_name in (select unnest(?))",
                           [sorted(names)]).fetchall()
    finally:
        con.close()
    return {name for (name,) in rows}


def _build_missing_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings) -> None:
    """The GA4 daily models are built by the analytics_daily runs; a build without any analytics day (no analytics files,
    or a fresh build file) would find no `stg_ga4__events` / `int_portal_ga4_daily` to read. Build them once, over
    every day raw.ga4_events holds (none: an empty aggregate), so the portal marts come out empty instead of failing."""
    daily_models = frozenset(
        node["name"] for node in _manifest()["nodes"].values()
        if node["resource_type"] == "model" and DAILY_DBT_TAG in node.get("tags", [])
    )
    # On Spark the models live in Spark's warehouse, never in the build file: they are rebuilt here on every run (the
    # same rows as the daily steps wrote, over every day), after the raw tables are handed over.
    missing = daily_models - _existing_relations(settings, daily_models)
    if not missing:
        return
    hand_over_raw_tables(settings.get())
    context.log.info(f"dbt models {', '.join(sorted(missing))} do not exist yet (no analytics day was built): building "
                     "the GA4 daily models over every day raw.ga4_events holds")
    # With the build's saved parse state, and saving it: the full build's invocation that follows then parses nothing.
    resolved = settings.get()
    target_path = _with_saved_parse_state(dbt._get_unique_target_path(context=context), resolved)
    invocation = dbt.cli(["run", "--select", DAILY_DBT_SELECTION, "--no-write-json", *_target_args(settings)],
                         manifest=dbt_project().manifest_path, target_path=target_path, env=_dbt_env(settings)).wait()
    _save_parse_state(invocation.target_path, resolved)


@dbt_assets(
    manifest=_manifest(),
    project=dbt_project(),
    dagster_dbt_translator=EduKpiDbtTranslator(),
    name="edukpi_dbt",
)
def edukpi_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: EduKpiSettings):
    """Build the dbt seeds and models the run selects and run their tests (shown as asset checks) on the build warehouse,
    in one dbt invocation: the daily models (the GA4 staging view and the incremental daily aggregate) for the run's days
    (one day or a range), the others whole."""
    if DAILY_DBT_KEYS & set(context.selected_asset_keys):
        # A full build recomputes every day, whatever its partition range: that range is the analytics files' days, and
        # the portal models also hold page-report periods outside it.
        first_day, last_day = (None, None) if context.run.job_name == FULL_BUILD_JOB else run_days(context.run.tags)
        context.log.info(f"dbt window {first_day} … {last_day}" if first_day
                         else f"dbt window: every day ({'a full build' if context.run.job_name == FULL_BUILD_JOB else 'a run without days'})")
        # Passed as environment variables, not --vars: a change of --vars makes dbt re-parse the whole project (5–10 s); the
        # env vars are read only when dbt executes (macro analytics_days), so a new window re-parses nothing.
        yield from _dbt_build(context, dbt, settings, first_day, last_day)
    else:
        _build_missing_daily_models(context, dbt, settings)
        yield from _dbt_build(context, dbt, settings)


def run_days(tags: Mapping[str, str]) -> tuple[str, str] | tuple[None, None]:
    """The analytics days of a run: its partition range (`edukpi materialize`, single-run backfills) or its one partition
    (a scheduled or sensor-started day); (None, None) for a run without days."""
    first, last = tags.get(ASSET_PARTITION_RANGE_START_TAG), tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if first and last:
        return first, last
    day = tags.get(PARTITION_NAME_TAG)
    return (day, day) if day else (None, None)


# The dbt models computed per analytics day: those tagged `daily` (not partitioned in Dagster, see the module docstring).
DAILY_DBT_KEYS = frozenset(
    EduKpiDbtTranslator().get_asset_key(props) for props in _manifest()["nodes"].values()
    if props["resource_type"] in BUILT_TYPES and DAILY_DBT_TAG in props.get("tags", [])
) & edukpi_dbt.keys


def dbt_keys_reading(raw_keys: Collection[dg.AssetKey]) -> frozenset[dg.AssetKey]:
    """The dbt models and seeds whose dbt lineage reads any of these raw tables, directly or through other models (what
    new rows in them reach). dbt's lineage, not the asset graph's: the calendar is rewritten after every load and every
    dbt asset below it depends on all raw tables in the asset graph (UPSTREAMS_OUTSIDE_DBT), though a new analytics day
    changes neither the calendar's days nor what reads them."""
    manifest = _manifest()
    translator = EduKpiDbtTranslator()
    keys_by_id = {
        unique_id: translator.get_asset_key(props)
        for unique_id, props in [*manifest["nodes"].items(), *manifest["sources"].items()]
        if props["resource_type"] in BUILT_TYPES | {"source"}
    }
    children: dict[str, list[str]] = {}
    for unique_id, props in manifest["nodes"].items():
        for parent in props.get("depends_on", {}).get("nodes", []):
            children.setdefault(parent, []).append(unique_id)
    queue = [unique_id for unique_id, key in keys_by_id.items() if key in set(raw_keys)]
    reached: set[str] = set()
    while queue:
        for child in children.get(queue.pop(), []):
            if child not in reached and child in keys_by_id:
                reached.add(child)
                queue.append(child)
    return frozenset(keys_by_id[unique_id] for unique_id in reached) & edukpi_dbt.keys
