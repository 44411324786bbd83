"""A subset run (raw asset + a mart downstream of it, the models in between not selected) loads before dbt builds.

Dagster orders a run's steps by the dependencies of the selected assets; the dbt multi-asset subsetted to
`marts/kpi_quota_fulfilment` used to depend only on the unselected models in between, so the dbt step ran
before `raw__article_submissions` and the mart was built from the previous load. dagster_defs/assets/dbt.py gives each
dbt asset a direct dependency on its ancestors in other steps; this runs the subset for real through the Dagster CLI.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb

from ingestion.contracts import raw_schema_ddl
from edukpi.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from tests.conftest import pipeline_env, run_edukpi

SUBSET = "raw/article_submissions,marts/kpi_quota_fulfilment"


def _step_events(dagster_home: Path) -> tuple[str, list[tuple[str, str]]]:
    """(run status, [(step key, event type)] in order) of the latest run in this Dagster home."""
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    try:
        run = instance.get_runs(limit=1)[0]
        steps = [
            (entry.step_key, entry.dagster_event_type.value)
            for entry in instance.all_logs(run.run_id)
            if entry.is_dagster_event
            and entry.dagster_event_type in (dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS)
        ]
        return run.status.value, steps
    finally:
        instance.dispose()


def test_subset_loads_the_raw_asset_before_building_the_mart(tmp_path: Path) -> None:
    settings, env = pipeline_env(tmp_path)
    generated = run_edukpi(["generate", "--preset", "tiny", "--seed", "7", "--out", str(settings.raw_dir), "--quiet"], env)
    assert generated.returncode == 0, generated.stderr
    submissions = settings.raw_dir / "submissions"
    held = tmp_path / "submissions_not_yet_delivered"
    shutil.move(submissions, held)
    submissions.mkdir()

    # Before the delivery: empty raw tables and the mart with its parents built on them (as yesterday's build would be).
    settings.build_db.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.build_db)) as con:
        for statement in raw_schema_ddl():
            con.execute(statement)
    dbt_env = {**env, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)}
    built = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--select", "+kpi_quota_fulfilment",
         "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", "--project-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "dbt_target"), "--log-path", str(tmp_path / "dbt_logs")],
        env=dbt_env, cwd=tmp_path, capture_output=True, text=True,
    )
    assert built.returncode == 0, (built.stdout + built.stderr)[-6000:]

    # The submissions arrive; the raw asset and the mart are materialised together, without the models in between.
    shutil.rmtree(submissions)
    shutil.move(held, submissions)
    dagster = Path(sys.executable).with_name("dagster")
    run = subprocess.run(
        [str(dagster), "asset", "materialize", "--select", SUBSET, "-m", "dagster_defs.definitions"],
        env=dbt_env, cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-8000:]

    status, steps = _step_events(Path(env["DAGSTER_HOME"]))
    assert status == "SUCCESS"
    assert ("raw__article_submissions", "STEP_SUCCESS") in steps and ("edukpi_dbt", "STEP_START") in steps, steps
    assert steps.index(("raw__article_submissions", "STEP_SUCCESS")) < steps.index(("edukpi_dbt", "STEP_START")), (
        f"the dbt step started before the raw step finished: {steps}"
    )

    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        latest_day = con.sql("select cast(max(submitted_at) as date) from raw.article_submissions").fetchone()[0]
        rows, submitted, as_of = con.sql(
            "select count(*), sum(articles_submitted), max(as_of_date) from marts.kpi_quota_fulfilment"
        ).fetchone()
    assert latest_day is not None
    # Built from this load: quarters up to the latest submission day, with the delivered articles counted.
    assert rows > 0 and submitted > 0 and as_of == latest_day, (rows, submitted, as_of, latest_day)


def test_every_dbt_asset_depends_directly_on_its_ancestors_in_other_steps() -> None:
    """The rule behind the run above, for every dbt asset and every subset: no other step's asset is only a grandparent."""
    from dagster_defs.assets.dbt import edukpi_dbt
    from dagster_defs.definitions import defs

    graph = defs.get_repository_def().asset_graph
    for dbt_def in (edukpi_dbt,):
        for key in dbt_def.keys:
            other_steps = {a for a in graph.get_ancestor_asset_keys(key) if a not in dbt_def.keys}
            missing = other_steps - graph.get(key).parent_keys
            assert not missing, (key.to_user_string(), sorted(k.to_user_string() for k in missing))
