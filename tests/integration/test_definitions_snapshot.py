"""Every asset key, group, check, job, schedule and sensor of the Definitions: a change to the graph shows up as a diff.

Regenerate after an intended change with: UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/integration/test_definitions_snapshot.py
"""
from __future__ import annotations

import os
from pathlib import Path

SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "definitions.txt"


def describe_definitions() -> str:
    from dagster_defs.definitions import defs

    repo = defs.get_repository_def()
    lines = []
    for node in sorted(repo.asset_graph.asset_nodes, key=lambda n: n.key.to_user_string()):
        key = node.key
        partitions = type(node.partitions_def).__name__ if node.partitions_def else "-"
        kind = "asset" if node.is_materializable else "external"
        lines.append(f"{kind} {key.to_user_string()} group={node.group_name} partitions={partitions}")
    for check_key in sorted(repo.asset_graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        lines.append(f"check {check_key.asset_key.to_user_string()}:{check_key.name}")
    for job in sorted(repo.get_all_jobs(), key=lambda j: j.name):
        if not job.name.startswith("__"):
            lines.append(f"job {job.name}")
    for schedule in sorted(repo.schedule_defs, key=lambda s: s.name):
        lines.append(f"schedule {schedule.name} cron={schedule.cron_schedule} job={schedule.job_name} "
                     f"status={schedule.default_status.value}")
    for sensor in sorted(repo.sensor_defs, key=lambda s: s.name):
        lines.append(f"sensor {sensor.name} status={sensor.default_status.value}")
    return "\n".join(lines) + "\n"


def test_definitions_snapshot() -> None:
    actual = describe_definitions()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(actual, encoding="utf-8")
    assert SNAPSHOT.exists(), f"{SNAPSHOT} is missing: run with UPDATE_SNAPSHOTS=1 and review it"
    assert actual == SNAPSHOT.read_text(encoding="utf-8")


def test_every_asset_has_a_description() -> None:
    from dagster_defs.definitions import defs

    repo = defs.get_repository_def()
    missing = [
        node.key.to_user_string()
        for node in repo.asset_graph.asset_nodes
        if node.is_materializable and not (node.description or "").strip()
    ]
    assert not missing


def test_every_job_schedule_and_sensor_has_a_description() -> None:
    from dagster_defs.definitions import defs

    repo = defs.get_repository_def()
    jobs = [job for job in repo.get_all_jobs() if not job.name.startswith("__")]
    assert jobs and repo.schedule_defs and repo.sensor_defs
    for definition in [*jobs, *repo.schedule_defs, *repo.sensor_defs]:
        assert len((definition.description or "").strip()) > 20, definition.name


def test_schedules_run_under_make_dev_one_run_at_a_time(tmp_path: Path) -> None:
    """`make dev` starts the daemon; schedules that start RUNNING need no click, and the Dagster home the Makefile writes
    queues runs one at a time (two runs writing the build DuckDB at once would fail on its lock)."""
    import subprocess

    from dagster_defs.definitions import defs
    from edukpi.settings import PROJECT_ROOT

    repo = defs.get_repository_def()
    assert {s.name: s.default_status.value for s in repo.schedule_defs} == {
        "analytics_daily_schedule": "RUNNING", "refresh_daily_schedule": "RUNNING"}
    home = tmp_path / "dagster_home"
    subprocess.run(["make", "-s", f"DAGSTER_HOME={home}", f"{home}/dagster.yaml"], cwd=PROJECT_ROOT, check=True)
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


def test_important_checks_are_described_in_vietnamese_and_english() -> None:
    """The dbt tests people look at first (every singular test, every grain test of a mart, the key of each fact and
    dimension) carry a description in both languages, shown on the asset check in the UI."""
    import re

    from dagster_defs.definitions import defs

    repo = defs.get_repository_def()
    important = [
        key for key in repo.asset_graph.asset_check_keys
        if (key.asset_key.path[0] == "marts" and key.name.startswith(("assert_", "unique_")))
        or key.name == "rows_accounted_for"
    ]
    assert len(important) >= 15
    # Every singular test is an asset check (one reading several models names its model in meta.dagster.ref)
    from edukpi.settings import DBT_PROJECT_DIR

    singular = {path.stem for path in (DBT_PROJECT_DIR / "tests").glob("*.sql")}
    assert singular and singular <= {key.name for key in important}
    for key in important:
        description = repo.asset_graph.get_check_spec(key).description or ""
        vietnamese, _, english = description.partition(" / ")
        assert english.strip(), f"{key.asset_key.to_user_string()}:{key.name} has no 'Vietnamese / English' description"
        assert re.search(r"[À-ỹĐđ]", vietnamese), f"{key.name}: the first half should be Vietnamese"
