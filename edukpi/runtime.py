"""What a command gives the Dagster and dbt runs it starts (their environment and the window of analytics days), and
what it reads back from a dbt invocation.

Shared by the command line and the benchmark (which must not import the command line, the composition root)."""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from edukpi.settings import PROJECT_ROOT, Settings

DAY_FILE = re.compile(r"(?:events_|access-)(\d{8})\.")


def runtime_env(settings: Settings, dagster_home: Path | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every Dagster and dbt process of the project, built in this one place from the settings: the
    build paths, a Dagster home (default .dagster_home in the repo, or $DAGSTER_HOME) with telemetry off and one run at a
    time, dbt's usage statistics off. `base` is the environment it extends (default this process's). The command line,
    `make` (through `edukpi env`) and the test fixtures all take it from here."""
    base = dict(os.environ if base is None else base)
    dagster_home = Path(dagster_home or base.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home")
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        # As the Makefile writes it: no telemetry, one run at a time (one writer of the build DuckDB).
        config.write_text("telemetry:\n  enabled: false\nconcurrency:\n  runs:\n    max_concurrent_runs: 1\n", encoding="utf-8")
    return {**base, **project_env(settings, dagster_home)}


def project_env(settings: Settings, dagster_home: Path) -> dict[str, str]:
    """Only the variables the project sets (what `edukpi env` prints)."""
    return {
        **settings.as_env(),
        "DAGSTER_HOME": str(dagster_home),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project"),
        # The engine's target for every dbt command, `make manifest`'s parse included: dbt keeps its partial-parse state
        # only for the target it was parsed with, and the Dagster steps pass --target (dagster_defs/assets/dbt.py).
        "DBT_TARGET": settings.dbt_target,
        # One planned event per asset with its partition subset instead of one per partition (2,188 for 547 days): see
        # docs/benchmarks.md, "Per-partition events".
        "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1",
    }


def analytics_days(raw_dir: Path) -> tuple[str, str] | None:
    """First and last day of the daily analytics files present (GA4 export and access logs)."""
    days = sorted(
        match.group(1)
        for path in (raw_dir / "analytics").rglob("*")
        if path.is_file() and (match := DAY_FILE.search(path.name))
    )
    if not days:
        return None
    iso = [f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in (days[0], days[-1])]
    return iso[0], iso[1]


def analytics_window(settings: Settings, last_partition_day: str | None) -> tuple[tuple[str, str] | None, list[str], list[str]]:
    """The partition range to load (first and last day of the analytics files from settings.first_day to the last
    complete day), the messages for files dated before the first day (refused by the daily assets, which record them in
    raw.quarantine) and the files dated after the last complete day (loaded once their day has ended)."""
    from ingestion.daily import DailySource
    from ingestion.loading import before_first_day_message
    from ingestion.sources import SOURCES

    days, refused, later = [], [], []
    for source in SOURCES.values():
        if not isinstance(source, DailySource):
            continue
        for relative in source.find_files(settings.raw_dir):
            day = source.day_of(relative)
            if day < settings.first_day:
                refused.append(before_first_day_message(relative, day, settings.first_day))
            elif last_partition_day is None or day.isoformat() > last_partition_day:
                later.append(relative)
            else:
                days.append(day.isoformat())
    return ((min(days), max(days)) if days else None), sorted(refused), sorted(later)


def dbt_log_lines(dbt_log: Path) -> Iterator[str]:
    """The lines of a dbt.log in the order dbt wrote them, its rotated parts first: dbt starts a new dbt.log every 10 MB
    (--log-file-max-bytes), keeping the earlier ones as dbt.log.1 (the latest) … dbt.log.5 (the oldest). An x10 build's
    invocation writes 12 MB, so dbt.log alone holds only its last nodes."""
    rotated = sorted((p for p in dbt_log.parent.glob(f"{dbt_log.name}.*") if p.suffix[1:].isdigit()),
                     key=lambda p: int(p.suffix[1:]), reverse=True)
    for part in [*rotated, dbt_log]:
        if part.exists():
            yield from part.read_text(encoding="utf-8", errors="replace").splitlines()


def dbt_log_results(dbt_log: Path) -> dict[str, dict]:
    """What each node of a dbt invocation did, by unique id (status, execution_time, …: run_results.json's fields), from
    its JSON-lines dbt.log and the parts dbt rotated out of it. The Dagster builds run dbt with --no-write-json
    (dagster_defs/assets/dbt.py), so they leave no run_results.json."""
    results = {}
    for line in dbt_log_lines(dbt_log):
        if line.startswith("{") and '"NodeFinished"' in line:
            data = json.loads(line)["data"]
            results[data["node_info"]["unique_id"]] = data["run_result"]
    return results
