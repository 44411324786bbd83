"""A sensor on data/raw/: new, changed or removed files request runs of the ingestion assets that read them."""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import dagster as dg

from dagster_defs.partitions import daily_partitions
from dagster_defs.resources import EduKpiSettings
from ingestion.sources import SOURCES


def _asset_key(source_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", SOURCES[source_name].contract.table])


def scan_raw_files(raw_dir: Path) -> dict[str, dict[str, str]]:
    """{source: {path relative to data/raw: 'mtime_ns:size'}} for every file a source would read (no file is opened)."""
    state: dict[str, dict[str, str]] = {}
    for name, source in SOURCES.items():
        files = source.find_files(raw_dir) if raw_dir.exists() else {}
        entries = {}
        for relative, path in files.items():
            stat = path.stat()
            entries[relative] = f"{stat.st_mtime_ns}:{stat.st_size}"
        state[name] = entries
    return state


def plan_runs(previous: dict[str, dict[str, str]], current: dict[str, dict[str, str]], last_day: str | None
              ) -> tuple[list[dg.RunRequest], dict[str, dict[str, str]]]:
    """Run requests for what changed between two scans, and the cursor to store.

    Day files whose day is not a partition yet (today, or before the first partition) are left out of the stored cursor,
    so they are requested once their day becomes a partition.
    """
    cursor: dict[str, dict[str, str]] = {}
    days: dict[str, set[dg.AssetKey]] = defaultdict(set)
    unpartitioned: set[dg.AssetKey] = set()
    changes: list[str] = []
    first_day = daily_partitions.start.date().isoformat()
    for name, source in SOURCES.items():
        before, now = previous.get(name, {}), current.get(name, {})
        cursor[name] = {}
        for relative in sorted(set(before) | set(now)):
            state_before, state_now = before.get(relative), now.get(relative)
            if source.partitioned:
                day = source.day_of(relative)
                day_key = day.isoformat() if day else None
                if day_key is None or day_key < first_day or last_day is None or day_key > last_day:
                    continue  # not a partition (yet): not remembered, seen again next time
            if state_now is not None:
                cursor[name][relative] = state_now
            if state_before == state_now:
                continue
            changes.append(f"{relative}={state_now}")
            if source.partitioned:
                days[day_key].add(_asset_key(name))
            else:
                unpartitioned.add(_asset_key(name))
    requests = []
    for day_key in sorted(days):
        keys = sorted(days[day_key], key=lambda k: k.to_user_string())
        digest = hashlib.sha256("|".join(c for c in changes if day_key.replace("-", "") in c).encode()).hexdigest()[:16]
        requests.append(dg.RunRequest(run_key=f"raw-{day_key}-{digest}", partition_key=day_key, asset_selection=keys))
    if unpartitioned:
        keys = sorted(unpartitioned, key=lambda k: k.to_user_string())
        digest = hashlib.sha256("|".join(changes).encode()).hexdigest()[:16]
        requests.append(dg.RunRequest(run_key=f"raw-files-{digest}", asset_selection=keys))
    return requests, cursor


@dg.sensor(
    name="raw_files_sensor",
    target=dg.AssetSelection.assets(*[_asset_key(name) for name in SOURCES]),
    minimum_interval_seconds=60,
    description=(
        "Watches data/raw/ (file modification time and size): a new, changed or removed file requests a run of the "
        "ingestion asset that reads it; for the daily analytics sources, one run per affected day (its partition key). "
        "Off until switched on in the UI (Automation): its first look counts every file present as new."
    ),
    # Stopped by default, unlike the schedules: its first evaluation has no cursor and requests one run per analytics day
    # already in data/raw/ (hundreds after `make run`), so an analyst switches it on knowingly (README).
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def raw_files_sensor(context: dg.SensorEvaluationContext, settings: EduKpiSettings) -> dg.SensorResult:
    raw_dir = settings.get().raw_dir
    previous = json.loads(context.cursor) if context.cursor else {}
    current = scan_raw_files(raw_dir)
    last_day = daily_partitions.get_last_partition_key()
    requests, cursor = plan_runs(previous, current, last_day)
    if not requests:
        return dg.SensorResult(skip_reason=f"no new, changed or removed files under {raw_dir}", cursor=json.dumps(cursor))
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))
