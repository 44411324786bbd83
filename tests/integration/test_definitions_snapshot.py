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
        lines.append(f"schedule {schedule.name} cron={schedule.cron_schedule} job={schedule.job_name}")
    for sensor in sorted(repo.sensor_defs, key=lambda s: s.name):
        lines.append(f"sensor {sensor.name}")
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
