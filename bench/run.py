"""`edukpi bench`: what a full build, a one-day refresh, the reports and staff queries cost, against the floor without Dagster or dbt.

Everything happens in a work folder (default bench/work/<preset>): generated raw data, build and published warehouses,
a Dagster home, logs. Figures go to bench/results/<date>-<preset>.json and docs/benchmarks.md (see that file for what
each figure contains).
"""
from __future__ import annotations

import datetime as dt
import graphlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from edukpi.settings import DBT_PROJECT_DIR, DBT_TARGETS, PROJECT_ROOT, SAMPLE_MARKER, Settings
from edukpi.runtime import dbt_log_lines, dbt_log_results
from ingestion.build_db import memory_limit

QUERIES_FILE = PROJECT_ROOT / "bench" / "queries.sql"
GENERATION_MARKER = "bench-generation.json"
VERSIONED_PACKAGES = ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "polars", "plotly", "pyarrow")
# Issue 7's targets. The build ratio has a target only at city scale; memory is judged at city-year.
BUILD_RATIO_TARGETS = {"city-year": 2.0, "x10": 1.3}
# Issue 15's targets against the physical floor (bare read + write of the raw files), judged at city scale as well.
PHYSICAL_RATIO_PRESETS = ("city-year", "x10")
FULL_BUILD_VS_PHYSICAL_MAX = 1.75
FULL_BUILD_VS_PHYSICAL_MAX_X10 = 1.4  # issue 15: x10 "ratio to its own physical floor <= 1.4"
INGESTION_VS_PHYSICAL_MAX = 1.5
# Issue 15's (issue 7 had 10 % of a full build, 5 s and 100 ms).
INCREMENTAL_MAX_S = 10.0
INCREMENTAL_MAX_SHARE_OF_FULL = 0.05
REPORT_MAX_S = 1.0
QUERY_P95_MAX_MS = 30.0
PEAK_RSS_MAX_MB = 4096.0
X10_GROWTH_MAX = 11.0  # issue 15: the x10 full build <= 11 x city-year's
# The bench's own reference steps: the generator and the floors, run in the bench process or by it, not the project's
# commands. Peak memory (<= 4 GB, issue 15: the project's run) is judged on the other steps; theirs is shown apart.
REFERENCE_STEPS = ("generation", "physical_ingestion", "floor_ingestion", "floor_dbt", "floor_publish")
RSS_SAMPLE_INTERVAL_S = 0.1
SPILL_SAMPLE_EVERY = 5  # RSS samples: DuckDB's spill folders are measured every 0.5 s
# The steps `--steps` chooses from, in the order they run. The physical floor runs first, before any build file exists;
# the floors run after the steps that need the full build's file, since they reuse its path (one build file at a time).
STEPS = ("physical", "startup", "build", "report", "queries", "incremental", "floor", "dbt_floor", "dbt_cli")
STEP_NEEDS = {
    "report": ("build",), "queries": ("build",), "incremental": ("build",), "dbt_cli": ("build",),
    # Both floors count the compiled dbt SQL, publishing and the report; the dbt floor runs on the floor's
    # post-ingestion file, or without `floor` on the full build's file (its model tables replaced).
    "physical": ("dbt_floor",), "floor": ("dbt_floor",), "dbt_floor": ("report",),
}
# JSON figures and the steps they need (a figure is written only when its steps ran).
REQUIRED_KEYS = {
    "generation_s": (), "full_build_s": ("build",), "report_s": ("report",), "peak_rss_mb": (),
    "largest_spill_mb": (), "floor_s": ("floor",), "full_build_vs_floor": ("floor",),
    "physical_ingestion_s": ("physical",), "physical_floor_s": ("physical",),
    "full_build_vs_physical_floor": ("physical",), "ingestion_vs_physical": ("physical", "floor"),
    "incremental_day_s": ("incremental",), "query_p50_ms": ("queries",), "query_p95_ms": ("queries",),
    "query_new_connection_p95_ms": ("queries",),
}
# Disk a step may need beyond what exists, in build-file sizes (estimated from the raw data or the last result of the
# preset), each plus the largest DuckDB spill: the build file, the floors' files, publishing's copy of the marts.
DISK_NEED_IN_BUILD_FILES = {"physical": 1.0, "build": 1.3, "incremental": 0.2, "floor": 1.0, "dbt_floor": 0.5,
                            "dbt_cli": 0.5}
BUILD_FILE_PER_RAW_BYTE = 3.0  # a fresh estimate when no earlier result of the preset says better


# --------------------------------------------------------------------------------------------------------------------
# Measuring: wall time, load average and peak resident memory of one step


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _process_table() -> dict[int, tuple[int, int]]:
    """{pid: (parent pid, resident bytes)} of every process, read from /proc (psutil is not a dependency)."""
    page = os.sysconf("SC_PAGE_SIZE")
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields are counted after its closing parenthesis.
        fields = data[data.rindex(b")") + 2:].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[21]) * page)
    return table


def _descendants_rss(root: int, include_root: bool) -> int:
    table = _process_table()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _) in table.items():
        children[parent].append(pid)
    total, stack = (table.get(root, (0, 0))[1] if include_root else 0), list(children[root])
    while stack:
        pid = stack.pop()
        total += table.get(pid, (0, 0))[1]
        stack.extend(children[pid])
    return total


def _disk_bytes(path: Path) -> int:
    """Bytes a folder (or file) takes on disk (allocated blocks: DuckDB's spill files may be sparse)."""
    try:
        if not path.is_dir():
            return path.stat().st_blocks * 512 if path.exists() else 0
        total = 0
        for entry in os.scandir(path):
            try:
                total += _disk_bytes(Path(entry.path)) if entry.is_dir(follow_symlinks=False) else \
                    entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
        return total
    except OSError:
        return 0


# DuckDB spills beside each database file (<file>.tmp, ingestion/build_db.py and dbt's profile): the bench samples the
# .tmp folders one and two levels under its work folder (build/, floor/, physical/).
_spill_root: Path | None = None


def _spill_bytes() -> int:
    if _spill_root is None:
        return 0
    folders = [f for f in (*_spill_root.glob("*.tmp"), *_spill_root.glob("*/*.tmp")) if f.is_dir()]
    return sum(_disk_bytes(folder) for folder in folders)


class _RssSampler(threading.Thread):
    """Samples the summed resident memory of this process's children (and itself, for in-process steps), and the size
    of DuckDB's spill folders."""

    def __init__(self, include_self: bool) -> None:
        super().__init__(daemon=True)
        self.include_self = include_self
        self.peak_bytes = 0
        self.spill_peak_bytes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        tick = 0
        while not self._stop_event.is_set():
            self.peak_bytes = max(self.peak_bytes, _descendants_rss(os.getpid(), self.include_self))
            if tick % SPILL_SAMPLE_EVERY == 0:
                self.spill_peak_bytes = max(self.spill_peak_bytes, _spill_bytes())
            tick += 1
            self._stop_event.wait(RSS_SAMPLE_INTERVAL_S)
        self.spill_peak_bytes = max(self.spill_peak_bytes, _spill_bytes())

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_bytes


def _reset_own_peak_rss() -> bool:
    """Reset this process's high-water mark (VmHWM), so an in-process step's peak is its own (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _own_peak_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass
class Step:
    name: str
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    largest_spill_mb: float = 0.0
    load_before: list[float] = field(default_factory=list)
    load_after: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "largest_spill_mb": round(self.largest_spill_mb, 1),
            "load_before": self.load_before,
            "load_after": self.load_after,
            **self.details,
        }


@contextmanager
def _in_process(step: Step) -> Iterator[Step]:
    """Time a step run inside this process; its peak memory is this process's high-water mark during the step."""
    step.load_before = _load()
    reset = _reset_own_peak_rss()
    sampler = _RssSampler(include_self=True)
    sampler.start()
    started = time.perf_counter()
    try:
        yield step
    finally:
        step.seconds = time.perf_counter() - started
        sampled = sampler.stop()
        peak = max(sampled, _own_peak_rss_bytes() if reset else 0)
        step.peak_rss_mb = peak / 2**20
        step.largest_spill_mb = max(step.largest_spill_mb, sampler.spill_peak_bytes / 2**20)
        step.details["peak_rss_method"] = "VmHWM of the bench process" if reset else "sampled every 0.1 s"
        step.load_after = _load()


def _run(command: list[str], env: dict[str, str], log_path: Path, cwd: Path = PROJECT_ROOT) -> dict[str, Any]:
    """Run one command; its wall time, the largest single process of its tree (wait4) and the sampled sum of the tree."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(("\n+ " + " ".join(command) + "\n").encode())
        log.flush()
        sampler = _RssSampler(include_self=False)
        sampler.start()
        # Linux hands a forked child its parent's high-water mark (copied with the address space, kept through exec in
        # ru_maxrss): without this reset an earlier in-process step's peak (the physical floor's, several GB) would be
        # reported as the child's. Reset, the child starts from this process's current size.
        _reset_own_peak_rss()
        started_at = time.time()
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        # wait4 reports the child's own rusage, which includes the children it waited for (dbt under Dagster).
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        tree_peak = sampler.stop()
    if process.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-6000:]
        raise RuntimeError(f"`{' '.join(command)}` failed with exit code {process.returncode}; log {log_path}:\n{tail}")
    return {
        "command": " ".join(Path(command[0]).name if i == 0 else part for i, part in enumerate(command)),
        "seconds": round(seconds, 3),
        "started_at": started_at,
        "ended_at": started_at + seconds,
        "max_process_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "tree_rss_mb": round(tree_peak / 2**20, 1),
        "largest_spill_mb": round(sampler.spill_peak_bytes / 2**20, 1),
    }


def _subprocess_step(step: Step, commands: list[list[str]], env: dict[str, str], log_path: Path) -> list[dict[str, Any]]:
    step.load_before = _load()
    runs = [_run(command, env, log_path) for command in commands]
    step.load_after = _load()
    step.seconds = sum(run["seconds"] for run in runs)
    step.peak_rss_mb = max(max(run["max_process_rss_mb"], run["tree_rss_mb"]) for run in runs)
    step.largest_spill_mb = max(run["largest_spill_mb"] for run in runs)
    step.details["peak_rss_method"] = "max of wait4 ru_maxrss (largest process) and the sampled sum of the process tree"
    step.details["invocations"] = runs
    return runs


# --------------------------------------------------------------------------------------------------------------------
# The pipeline as analysts run it


def _venv_tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _pipeline_env(settings: Settings, workdir: Path) -> dict[str, str]:
    """The environment `edukpi materialize` gives Dagster and dbt, with the bench's own Dagster home and dbt target
    folder (`_prepare_dbt`: the partial-parse state of the bench's build path)."""
    from edukpi.runtime import runtime_env

    dagster_home = workdir / "dagster_home"
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = runtime_env(settings)
    env["DAGSTER_HOME"] = str(dagster_home)
    # dagster-dbt puts each invocation's artifacts in $DBT_TARGET_PATH/<op>-<run>-<id> and copies the partial-parse
    # file of $DBT_TARGET_PATH into it: here the one parsed for this build path, not make manifest's.
    env["DBT_TARGET_PATH"] = str(_dbt_target(workdir))
    return env


def _dbt_target(workdir: Path) -> Path:
    return workdir / "dbt_target"


def _settings(root: Path, raw_dir: Path | None = None) -> Settings:
    return Settings(
        raw_dir=raw_dir or root / "raw",
        build_db=root / "build" / "warehouse.duckdb",
        warehouse_db=root / "warehouse.duckdb",
        reports_dir=root / "reports",
        hmac_key=None,
    )


def _remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------------------------------
# What the Dagster runs and the dbt invocations inside them spent their time on


def _dagster_runs(dagster_home: Path, since: float) -> list[dict[str, Any]]:
    """Per run started after `since`: event counts, step durations and where the time between the events went."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    summaries = []
    try:
        for run in instance.get_runs():
            records = [e for e in instance.all_logs(run.run_id) if e.dagster_event is not None]
            if not records or min(e.timestamp for e in records) < since:
                continue
            events = sorted(records, key=lambda e: e.timestamp)
            kinds = Counter(e.dagster_event.event_type_value for e in events)
            first, last = events[0].timestamp, events[-1].timestamp
            starts = {e.step_key: e.timestamp for e in events if e.dagster_event.event_type_value == "STEP_START"}
            ends = {e.step_key: e.timestamp for e in events if e.dagster_event.event_type_value == "STEP_SUCCESS"}
            planned = [e.timestamp for e in events if e.dagster_event.event_type_value.endswith("_PLANNED")]
            run_start = next((e.timestamp for e in events if e.dagster_event.event_type_value == "PIPELINE_START"), first)
            steps = {}
            for key in sorted(starts, key=starts.get):
                materialised = [
                    e.timestamp for e in events
                    if e.step_key == key and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
                ]
                steps[key] = {
                    "seconds": round(ends.get(key, last) - starts[key], 3),
                    "started_at": starts[key],
                    "ended_at": ends.get(key, last),
                    "materializations": len(materialised),
                    "materialization_events_span_s": round(max(materialised) - min(materialised), 3) if materialised else 0.0,
                }
            summaries.append({
                "run_id": run.run_id,
                "job": run.job_name,
                "partition_range": [run.tags.get("dagster/asset_partition_range_start"),
                                    run.tags.get("dagster/asset_partition_range_end")],
                "partition": run.tags.get("dagster/partition"),
                "first_event_at": first,
                "last_event_at": last,
                "events_s": round(last - first, 3),
                "planned_events_s": round(max(planned) - min(planned), 3) if planned else 0.0,
                "run_start_to_first_step_s": round(min(starts.values(), default=run_start) - run_start, 3),
                "event_counts": dict(kinds.most_common()),
                "steps": steps,
            })
    finally:
        instance.dispose()
    return sorted(summaries, key=lambda r: r["first_event_at"])


def _iso_ts(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def dbt_invocation_summary(target_dir: Path) -> dict[str, Any]:
    """From a dbt target folder (dbt.log in JSON lines; run_results.json if written): parse, execution and per-type node times."""
    summary: dict[str, Any] = {"target": target_dir.name}
    log = target_dir / "dbt.log"
    if log.exists():
        first = parsed = completed = None
        reasons = []
        for line in dbt_log_lines(log):
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            info = event.get("info", {})
            ts = _iso_ts(info["ts"]) if "ts" in info else None
            first = first or ts
            name = info.get("name")
            if name == "UnableToPartialParse":
                reasons.append(info.get("msg", ""))
            elif name in ("FoundStats", "ConcurrencyLine") and parsed is None:
                parsed = ts
            elif name == "CommandCompleted":
                completed = ts
            elif name == "EndRunResult":
                summary["run_results_elapsed_s"] = round(event.get("data", {}).get("elapsed_time") or 0.0, 3)
        summary.update({
            "started_at": first,
            "ended_at": completed,
            "parse_s": round(parsed - first, 3) if first and parsed else None,
            "execute_s": round(completed - parsed, 3) if parsed and completed else None,
            "wall_s": round(completed - first, 3) if first and completed else None,
            "partial_parse": not reasons,
            "partial_parse_refused_because": reasons[:2],
        })
    # The builds run dbt with --no-write-json: the node results come from dbt.log (a dbt run by hand writes run_results.json).
    run_results = target_dir / "run_results.json"
    if run_results.exists():
        data = json.loads(run_results.read_text(encoding="utf-8"))
        results = {r["unique_id"]: r for r in data.get("results", [])}
        summary["run_results_elapsed_s"] = round(data.get("elapsed_time") or 0.0, 3)
    else:
        results = dbt_log_results(log) if log.exists() else {}
    if results:
        by_type: dict[str, dict[str, float]] = defaultdict(lambda: {"count": 0, "seconds": 0.0})
        for unique_id, result in results.items():
            kind = unique_id.split(".")[0]
            by_type[kind]["count"] += 1
            by_type[kind]["seconds"] = round(by_type[kind]["seconds"] + (result.get("execution_time") or 0.0), 3)
        summary["nodes"] = dict(by_type)
        slowest = sorted(results.items(), key=lambda item: item[1].get("execution_time") or 0.0, reverse=True)[:5]
        summary["slowest_nodes"] = {unique_id: round(r.get("execution_time") or 0.0, 3) for unique_id, r in slowest}
    return summary


def _collect_dbt_runs(runs: list[dict[str, Any]], target_root: Path, archive: Path) -> None:
    """Attach the dbt invocations of each Dagster dbt step, then move their target folders out of the dbt target folder."""
    archive.mkdir(parents=True, exist_ok=True)
    for run in runs:
        for step_key, step in run["steps"].items():
            found = sorted(target_root.glob(f"{step_key}-{run['run_id'][:7]}-*"))
            if not found:
                continue
            dbt = dbt_invocation_summary(found[0])
            if dbt.get("started_at") and dbt.get("ended_at"):
                dbt["dagster_before_dbt_s"] = round(dbt["started_at"] - step["started_at"], 3)
                dbt["dagster_after_dbt_s"] = round(step["ended_at"] - dbt["ended_at"], 3)
            step["dbt"] = dbt
            for folder in found:  # created by this bench's runs only (their run id is in the name)
                shutil.move(str(folder), archive / folder.name)


def _attribute(runs: list[dict[str, Any]], invocations: list[dict[str, Any]]) -> None:
    """Start-up and shut-down of each CLI process: its wall time minus the span of its run's events."""
    for invocation in invocations:
        inside = [r for r in runs if invocation["started_at"] <= r["first_event_at"] <= invocation["ended_at"]]
        events_s = sum(r["events_s"] for r in inside)
        invocation["run_ids"] = [r["run_id"] for r in inside]
        invocation["outside_run_events_s"] = round(invocation["seconds"] - events_s, 3)
        if inside:
            invocation["before_first_event_s"] = round(inside[0]["first_event_at"] - invocation["started_at"], 3)
            invocation["after_last_event_s"] = round(invocation["ended_at"] - inside[-1]["last_event_at"], 3)


# --------------------------------------------------------------------------------------------------------------------
# The floor: the same work in one process, no Dagster, no dbt CLI


def _topological(nodes: dict[str, dict]) -> list[str]:
    sorter: graphlib.TopologicalSorter = graphlib.TopologicalSorter()
    for unique_id, node in sorted(nodes.items()):
        sorter.add(unique_id, *[d for d in node["depends_on"].get("nodes", []) if d in nodes])
    return list(sorter.static_order())


def _profile_settings() -> dict[str, Any]:
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    profile = next(iter(profiles.values()))
    settings = profile["outputs"][profile["target"]].get("settings") or {}
    # Rendered as dbt renders profiles.yml: `{{ env_var('NAME', 'default') }}` (e.g. the memory limit).
    import jinja2

    renderer = jinja2.Environment()
    renderer.globals["env_var"] = lambda name, default=None: os.environ.get(name, default)
    return {name: renderer.from_string(str(value)).render() for name, value in settings.items()}


def _create_sql(node: dict) -> list[str]:
    """The statements dbt-duckdb runs for a model, without its transaction and rename dance."""
    relation, sql = node["relation_name"], node["compiled_code"]
    materialized = node["config"]["materialized"]
    if materialized == "view":
        return [f"create or replace view {relation} as (\n{sql}\n)"]
    if node["config"].get("contract", {}).get("enforced"):
        columns = [(name, column["data_type"]) for name, column in node["columns"].items() if column.get("data_type")]
        names = ", ".join(f'"{name}"' for name, _ in columns)
        ddl = ", ".join(f'"{name}" {data_type}' for name, data_type in columns)
        return [f"create or replace table {relation} ({ddl})",
                f"insert into {relation} ({names}) select {names} from (\n{sql}\n) as model_subq"]
    # Tables, and incremental models built in full (what a first build does).
    return [f"create or replace table {relation} as (\n{sql}\n)"]


def run_dbt_floor(db_path: Path, manifest: dict) -> dict[str, Any]:
    """Seeds, every SQL model (compiled by dbt) in dependency order, then every data test, in one DuckDB connection with
    the profile's settings (the 3 GB cap among them) and its spill folder."""
    nodes = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    tests = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "test" and n.get("compiled_code")}
    timings: dict[str, float] = defaultdict(float)
    node_seconds: dict[str, float] = {}
    failures: dict[str, int] = {}
    # temp_directory as dbt's profile gives it (config_options): beside the build file.
    con = duckdb.connect(str(db_path), config={"temp_directory": str(db_path) + ".tmp"})
    try:
        con.execute("set enable_progress_bar = false")
        for name, value in _profile_settings().items():
            con.execute(f"set {name} = '{value}'")
        timings_memory_limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
        for schema in sorted({n["schema"] for n in nodes.values()}):
            con.execute(f'create schema if not exists "{schema}"')
        for unique_id in _topological(nodes):
            node = nodes[unique_id]
            started = time.perf_counter()
            if node["resource_type"] == "seed":
                path = Path(node.get("root_path") or DBT_PROJECT_DIR) / node["original_file_path"]
                types = ", ".join(f"'{column}': '{sql_type}'" for column, sql_type in
                                  (node["config"].get("column_types") or {}).items())
                con.execute(
                    f"create or replace table {node['relation_name']} as "
                    f"select * from read_csv(?, header = true{', types = {' + types + '}' if types else ''})",
                    [str(path)],
                )
                kind = "seeds_s"
            elif node.get("language") == "python":
                raise NotImplementedError(f"the bench floor runs SQL models only; {unique_id} is a Python model")
            else:
                for statement in _create_sql(node):
                    con.execute(statement)
                kind = "models_s"
            node_seconds[unique_id] = time.perf_counter() - started
            timings[kind] += node_seconds[unique_id]
        started = time.perf_counter()
        for unique_id, test in sorted(tests.items()):
            fail_calc = test["config"].get("fail_calc") or "count(*)"
            count = con.execute(f"select {fail_calc} from (\n{test['compiled_code']}\n) as dbt_internal_test").fetchone()[0]
            if count:
                failures[unique_id] = int(count)
        timings["data_tests_s"] = time.perf_counter() - started
        con.execute("checkpoint")
    finally:
        con.close()
    slowest = sorted(node_seconds.items(), key=lambda item: item[1], reverse=True)[:5]
    return {
        **{k: round(v, 3) for k, v in timings.items()},
        "models": sum(1 for n in nodes.values() if n["resource_type"] == "model"),
        "seeds": sum(1 for n in nodes.values() if n["resource_type"] == "seed"),
        "data_tests": len(tests),
        "data_tests_failing": failures,
        "slowest_nodes": {k: round(v, 3) for k, v in slowest},
        "memory_limit": timings_memory_limit,
    }


def _ingest_in_process(settings: Settings) -> dict[str, Any]:
    """What the ingestion assets do, called directly: every analytics day in one load per source, then the tabular sources."""
    from edukpi.runtime import analytics_days
    from ingestion.daily import DailySource
    from ingestion.loading import accounting_problems, load_daily, load_tabular
    from ingestion.sources import SOURCES

    window = analytics_days(settings.raw_dir)
    days: list[dt.date] = []
    if window:
        first, last = (dt.date.fromisoformat(day) for day in window)
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    per_source = {}
    for name, source in SOURCES.items():
        started = time.perf_counter()
        if isinstance(source, DailySource):
            report = load_daily(settings, source, days)
        else:
            report = load_tabular(settings, source)
        problems = accounting_problems(settings, source)
        if problems:
            raise RuntimeError(f"floor ingestion of {name}: rows do not add up: {problems[:3]}")
        per_source[name] = {"seconds": round(time.perf_counter() - started, 3), "rows_loaded": report.rows_loaded,
                            "rows_quarantined": report.rows_quarantined, "files": len(report.files_read)}
    # The asset raw/calendar_days: the working-day calendar dbt reads (int_calendar_days).
    from ingestion.working_days import write_calendar

    started = time.perf_counter()
    calendar = write_calendar(settings)
    per_source["calendar"] = {"seconds": round(time.perf_counter() - started, 3), "rows_loaded": calendar.days,
                              "rows_quarantined": 0, "files": 0}
    return per_source


def _dbt_cli(args: list[str], target: Path, env: dict[str, str], workdir: Path) -> tuple[list[str], dict[str, str]]:
    """A dbt command on the bench's build file, with its artifacts and logs (JSON lines) in `target`, and its environment.
    The partial-parse file parsed for this build path (`_prepare_dbt`) is copied into `target` first, as dagster-dbt does."""
    parsed = _dbt_target(workdir) / "partial_parse.msgpack"
    target.mkdir(parents=True, exist_ok=True)
    if parsed.exists() and not (target / parsed.name).exists():
        shutil.copy2(parsed, target / parsed.name)
    # --target as the Dagster runs pass it: dbt refuses a partial parse when the target argument differs ("config vars,
    # config profile, or config target have changed"), even from no --target to the profile's default.
    command = [_venv_tool("dbt"), *args, "--target", DBT_TARGETS[env["EDUKPI_ENGINE"]], "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target), "--log-path", str(target)]
    return command, {**env, "DBT_LOG_FORMAT_FILE": "json"}


def _prepare_dbt(workdir: Path, env: dict[str, str]) -> dict[str, Any]:
    """What `make manifest` does, for the bench's build path (not timed, as `make manifest` is not part of a build):
    `dbt parse` with the environment of every later dbt invocation, so that each of them parses partially. dbt refuses
    a partial parse when the profile differs ("profile has changed"): the build path is in the profile, and the bench's
    is not the one `make manifest` parsed with. The project's own dbt_project/target is left as it is."""
    target = _dbt_target(workdir)
    log = target / "dbt.log"
    log.unlink(missing_ok=True)  # the summary reads this invocation's lines only
    run = _run(*_dbt_cli(["parse"], target, env, workdir), workdir / "logs" / "dbt_prepare.log")
    return {**run, **dbt_invocation_summary(target)}


# --------------------------------------------------------------------------------------------------------------------
# The physical floor: the bare read + write of every raw file the project's loaders read, no checks


GA4_PHYSICAL_SELECT = """
select event_date, event_timestamp, event_name, user_pseudo_id,
       device.category as device_category, geo.city as geo_city,
       traffic_source.source as traffic_source, traffic_source.medium as traffic_medium,
       list_filter(event_params, p -> p.key = 'page_location')[1].value.string_value as page_location,
       list_filter(event_params, p -> p.key = 'page_title')[1].value.string_value as page_title,
       list_filter(event_params, p -> p.key = 'ga_session_id')[1].value.int_value as ga_session_id,
       list_filter(event_params, p -> p.key = 'engagement_time_msec')[1].value.int_value as engagement_time_msec,
       sha256(user_pseudo_id) as user_hash,
       filename
"""
ACCESS_LOG_PATTERN = r'^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) (\S+) "([^"]*)" "([^"]*)"'
PHYSICAL_THREADS = 2


def _text_frame(path: Path) -> Any:
    """A CSV-like file read plainly into text columns (no header logic, no mapping, no checks)."""
    import polars as pl

    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1258", errors="replace")  # the legacy Vietnamese Windows code page
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t", "|"), key=first_line.count)
    return pl.read_csv(text.encode("utf-8"), has_header=False, separator=delimiter, infer_schema=False,
                       truncate_ragged_lines=True, quote_char='"', raise_if_empty=False)


def _excel_frames(path: Path) -> list[Any]:
    import fastexcel
    import polars as pl

    reader = fastexcel.read_excel(path)
    return [pl.from_arrow(reader.load_sheet(index, header_row=None, dtypes="string").to_arrow())
            for index in range(len(reader.sheet_names))]


def _other_sources_physical(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> dict[str, dict[str, Any]]:
    """Every file of every source other than the GA4 export and the access logs, read plainly and written as one table
    per source and file kind: CSV text (in any encoding the loaders accept), Excel sheets, JSON lines, HTML pages as text."""
    import polars as pl

    from ingestion.sources import SOURCES

    per_source: dict[str, dict[str, Any]] = {}
    for name, source in SOURCES.items():
        if name in ("ga4", "access_log"):
            continue
        started = time.perf_counter()
        files = list(source.find_files(raw_dir).values())
        by_kind: dict[str, list[Path]] = defaultdict(list)
        for path in files:
            suffix = path.suffix.lower()
            kind = ("excel" if suffix in (".xlsx", ".xlsm") else "json" if suffix in (".ndjson", ".jsonl", ".json")
                    else "html" if suffix in (".html", ".htm") else "text")
            by_kind[kind].append(path)
        rows = 0
        for kind, paths in by_kind.items():
            table = f"{name}_{kind}"
            if kind == "json":
                con.execute(f'create table "{table}" as select * from read_json(?, format = \'auto\', '
                            "union_by_name = true, filename = true)", [[str(p) for p in paths]])
            elif kind == "html":
                con.execute(f'create table "{table}" as select filename, content from read_text(?)', [[str(p) for p in paths]])
            else:
                frames = [frame for path in paths
                          for frame in (_excel_frames(path) if kind == "excel" else [_text_frame(path)])]
                con.register("_physical_frame", pl.concat(frames, how="diagonal").to_arrow())
                con.execute(f'create table "{table}" as select * from _physical_frame')
                con.unregister("_physical_frame")
            rows += con.execute(f'select count(*) from "{table}"').fetchone()[0]
        per_source[name] = {"seconds": round(time.perf_counter() - started, 3), "files": len(files), "rows": rows}
    return per_source


def physical_ingestion(raw_dir: Path, db_path: Path) -> dict[str, Any]:
    """At least the work of the reference physical floor (/work/shared/perf/physical_floor.py, see docs/benchmarks.md):
    every GA4 file with the four kept event parameters flattened and the user id hashed, every access-log line parsed with
    one regex, both written into a DuckDB file on disk (the build's memory cap, 2 threads, no checks); then the same bare
    read + write of every other raw file the project ingests. Closing (the checkpoint to disk) is inside the time."""
    from ingestion.sources import SOURCES

    _remove(db_path, db_path.with_name(db_path.name + ".wal"))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    ga4 = [str(p) for p in SOURCES["ga4"].find_files(raw_dir).values()]
    logs = [str(p) for p in SOURCES["access_log"].find_files(raw_dir).values()]
    parts: dict[str, Any] = {}
    started = time.perf_counter()
    con = duckdb.connect(str(db_path))
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"set memory_limit = '{memory_limit()}'")
        con.execute(f"set threads = {PHYSICAL_THREADS}")
        parts["memory_limit"] = con.execute("select current_setting('memory_limit')").fetchone()[0]
        mark = time.perf_counter()
        parquet = [p for p in ga4 if p.endswith(".parquet")]
        json_files = [p for p in ga4 if not p.endswith(".parquet")]
        if parquet:
            con.execute(f"create table ga4 as {GA4_PHYSICAL_SELECT} from read_parquet(?, filename = true)", [parquet])
        if json_files:  # GA4 delivered as BigQuery JSON exports: the same columns from JSON
            con.execute(f"create table ga4_json as {GA4_PHYSICAL_SELECT} from read_json(?, filename = true)", [json_files])
        parts["ga4_s"] = round(time.perf_counter() - mark, 3)
        parts["ga4_files"] = len(ga4)
        mark = time.perf_counter()
        if logs:
            con.execute(
                "create table access as select regexp_extract(line, ?, "
                "['ip', 'ts', 'method', 'path', 'status', 'bytes', 'referer', 'ua']) as m, filename "
                "from read_csv(?, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', header = false, "
                "filename = true)", [ACCESS_LOG_PATTERN, logs])
        parts["access_logs_s"] = round(time.perf_counter() - mark, 3)
        parts["access_log_files"] = len(logs)
        mark = time.perf_counter()
        parts["other_sources"] = _other_sources_physical(con, raw_dir)
        parts["other_sources_s"] = round(time.perf_counter() - mark, 3)
        mark = time.perf_counter()
    finally:
        con.close()
    parts["close_s"] = round(time.perf_counter() - mark, 3)
    parts["connect_to_close_s"] = round(time.perf_counter() - started, 3)
    parts["file_mb"] = round(db_path.stat().st_size / 2**20, 1)
    return parts


# --------------------------------------------------------------------------------------------------------------------
# Bench steps


def _generation(preset: str, seed: int, workdir: Path, env: dict[str, str]) -> Step:
    from generator import DATE_TO, GENERATOR_VERSION

    step = Step("generation")
    raw_dir = workdir / "raw"
    wanted = {"preset": preset, "seed": seed, "generator_version": GENERATOR_VERSION}
    marker = workdir / GENERATION_MARKER
    previous = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    if {k: previous.get(k) for k in wanted} == wanted and (raw_dir / SAMPLE_MARKER).exists():
        # Days after the generator's last day were added by an earlier bench's one-day refresh.
        for path in (raw_dir / "analytics" / "ga4").glob("events_*"):
            day = re.search(r"events_(\d{8})\.", path.name)
            if day and dt.datetime.strptime(day.group(1), "%Y%m%d").date() > DATE_TO:
                path.unlink()
        step.seconds = previous["generation_s"]
        step.peak_rss_mb = previous.get("peak_rss_mb", 0.0)
        step.details.update({"reused": True, "measured_at": previous.get("measured_at"),
                             "measured_load_before": previous.get("load_before")})
        step.load_before = step.load_after = _load()
        print(f"bench: reusing the {preset} data (seed {seed}) already generated in {raw_dir}; "
              f"generation took {step.seconds:.1f} s when it was made ({previous.get('measured_at')})", flush=True)
        return step
    _remove(raw_dir, marker)
    command = [_venv_tool("edukpi"), "generate", "--preset", preset, "--seed", str(seed), "--out", str(raw_dir), "--quiet"]
    _subprocess_step(step, [command], env, workdir / "logs" / "generation.log")
    step.details["reused"] = False
    marker.write_text(json.dumps({
        **wanted, "generation_s": round(step.seconds, 3), "peak_rss_mb": round(step.peak_rss_mb, 1),
        "measured_at": dt.datetime.now().isoformat(timespec="seconds"), "load_before": step.load_before,
    }, indent=2) + "\n", encoding="utf-8")
    return step


def _full_build(workdir: Path, settings: Settings) -> Step:
    """`edukpi materialize` from scratch: a fresh build file, warehouse, reports and Dagster home."""
    step = Step("full_build")
    dagster_home = workdir / "dagster_home"
    _remove(settings.build_db.parent, settings.warehouse_db, settings.reports_dir, dagster_home)
    env = _pipeline_env(settings, workdir)
    since = time.time()
    runs = _subprocess_step(step, [[_venv_tool("edukpi"), "materialize"]], env, workdir / "logs" / "full_build.log")
    dagster_runs = _dagster_runs(dagster_home, since)
    _collect_dbt_runs(dagster_runs, _dbt_target(workdir), workdir / "dbt_runs")
    _attribute(dagster_runs, runs)
    step.details["dagster_runs"] = dagster_runs
    step.details["cli_outside_runs_s"] = round(step.seconds - sum(r["events_s"] for r in dagster_runs), 3)
    return step


def _one_day(workdir: Path, settings: Settings) -> Step:
    """A new GA4 day (the last day's file shifted by one day): `edukpi materialize --days <that day>` (its partition, then refresh)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from edukpi.runtime import analytics_days

    step = Step("incremental_day")
    last_day = dt.date.fromisoformat(analytics_days(settings.raw_dir)[1])
    new_day = last_day + dt.timedelta(days=1)
    ga4_dir = settings.raw_dir / "analytics" / "ga4"
    table = pq.read_table(ga4_dir / f"events_{last_day:%Y%m%d}.parquet")
    shifted = table.set_column(
        table.schema.get_field_index("event_date"), "event_date", pa.array([f"{new_day:%Y%m%d}"] * table.num_rows, pa.string())
    )
    index = shifted.schema.get_field_index("event_timestamp")
    shifted = shifted.set_column(index, "event_timestamp", pc.add(shifted["event_timestamp"], 86_400 * 1_000_000))
    new_file = ga4_dir / f"events_{new_day:%Y%m%d}.parquet"
    pq.write_table(shifted, new_file, compression="zstd")
    env = _pipeline_env(settings, workdir)
    # What an analyst runs for a new day: its analytics partition, then everything else, in one process.
    commands = [[_venv_tool("edukpi"), "materialize", "--days", new_day.isoformat()]]
    since = time.time()
    try:
        runs = _subprocess_step(step, commands, env, workdir / "logs" / "incremental_day.log")
    finally:
        new_file.unlink()  # the generated data stays as generated (it is reused by the next bench of this preset)
    dagster_runs = _dagster_runs(workdir / "dagster_home", since)
    _collect_dbt_runs(dagster_runs, _dbt_target(workdir), workdir / "dbt_runs")
    _attribute(dagster_runs, runs)
    con = duckdb.connect(str(settings.warehouse_db), read_only=True)
    try:
        pageviews = con.execute(
            "select coalesce(sum(pageviews), 0) from marts.fct_portal_daily where date = ? and source_form = 'ga4'", [new_day]
        ).fetchone()[0]
    finally:
        con.close()
    if not pageviews:
        raise RuntimeError(f"the one-day refresh did not bring {new_day} into marts.fct_portal_daily")
    step.details.update({"day": new_day.isoformat(), "ga4_events_added": table.num_rows, "new_day_pageviews": int(pageviews),
                         "dagster_runs": dagster_runs})
    return step


def _report(workdir: Path, settings: Settings) -> Step:
    from reports.render import render_reports

    step = Step("report")
    out_dir = workdir / "bench_reports"
    _remove(out_dir)
    with _in_process(step):
        pages = render_reports(settings.warehouse_db, out_dir)
    step.details.update({"pages": len(pages), "total_mb": round(sum(p.stat().st_size for p in pages) / 2**20, 1)})
    return step


def load_queries(path: Path = QUERIES_FILE) -> list[tuple[str, str]]:
    """(name, SQL) pairs from a file where each query follows a `-- name: <name>` line."""
    parts = re.split(r"^-- name: (\S+)[ \t]*\n", path.read_text(encoding="utf-8"), flags=re.M)
    return [(name, sql.strip().rstrip(";")) for name, sql in zip(parts[1::2], parts[2::2])]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = int(position), min(int(position) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _queries(settings: Settings, runs: int) -> Step:
    """Each staff query `runs` times (after one untimed warm-up), timed two ways.

    - As the staff's shell (`make sql`, edukpi/sql.py SqlShell) runs it: on the session's one locked read-only
      connection, after the stat of the warehouse file the shell makes before each statement (to notice a newer
      publication): `p50_ms`/`p95_ms`, the figure issue 15's target is judged on.
    - On a new locked read-only connection per query (open, query, fetch, close): `new_connection_p50_ms`/`_p95_ms`,
      the bench's figure until 2026-11-30. `connect_p50_ms` of it is opening the file: DuckDB starts a database
      instance per open (~20 ms on this machine even for `:memory:`), whatever the queries."""
    from edukpi.sql import connect_readonly

    step = Step("staff_queries")
    queries = load_queries()
    shell_samples: list[float] = []
    fresh_samples: list[float] = []
    connect_samples: list[float] = []
    per_query = {}
    fresh_times: dict[str, list[float]] = {name: [] for name, _ in queries}
    shell_times: dict[str, list[float]] = {name: [] for name, _ in queries}
    rows: dict[str, int] = {}
    with _in_process(step):
        # New connections first, while no other connection of this process is open: DuckDB would otherwise hand a new
        # connection the database instance already open (see connect_readonly), and the figure would not include opening.
        for name, sql in queries:
            for attempt in range(runs + 1):
                started = time.perf_counter()
                con = connect_readonly(settings.warehouse_db)
                connected = time.perf_counter()
                try:
                    rows[name] = con.sql(sql).pl().height
                finally:
                    con.close()
                if attempt:
                    fresh_times[name].append((time.perf_counter() - started) * 1000)
                    connect_samples.append((connected - started) * 1000)
        shell = connect_readonly(settings.warehouse_db)
        try:
            for name, sql in queries:
                for attempt in range(runs + 1):
                    started = time.perf_counter()
                    settings.warehouse_db.stat()  # the shell's check for a newer publication
                    shell_rows = shell.sql(sql).pl().height
                    if attempt:
                        shell_times[name].append((time.perf_counter() - started) * 1000)
                if shell_rows != rows[name]:
                    raise RuntimeError(f"staff query {name}: {rows[name]} rows on a new connection, {shell_rows} on the shell's")
        finally:
            shell.close()
    for name, _ in queries:
        shell_samples.extend(shell_times[name])
        fresh_samples.extend(fresh_times[name])
        per_query[name] = {"rows": rows[name], "p50_ms": round(statistics.median(shell_times[name]), 2),
                           "p95_ms": round(_percentile(shell_times[name], 0.95), 2),
                           "new_connection_p95_ms": round(_percentile(fresh_times[name], 0.95), 2)}
    step.details.update({
        "queries": len(queries), "runs_each": runs, "p50_ms": round(statistics.median(shell_samples), 2),
        "p95_ms": round(_percentile(shell_samples, 0.95), 2), "max_ms": round(max(shell_samples), 2),
        "new_connection_p50_ms": round(statistics.median(fresh_samples), 2),
        "new_connection_p95_ms": round(_percentile(fresh_samples, 0.95), 2),
        "connect_p50_ms": round(statistics.median(connect_samples), 2), "per_query": per_query,
        "measures": "p50/p95: stat of the warehouse file + query + fetch into polars on one long-lived connection (the "
                    "staff shell); new_connection_*: connect_readonly + query + fetch + close, per run",
    })
    return step


def _floor_ingestion(settings: Settings) -> Step:
    """The project's loaders in this process, on a fresh build file at the full build's path (whose file is deleted
    first: one build file at a time, and the same path keeps dbt's partial parsing)."""
    step = Step("floor_ingestion")
    _remove(settings.build_db.parent)
    with _in_process(step):
        step.details["sources"] = _ingest_in_process(settings)
    return step


def _dbt_floor(workdir: Path, settings: Settings, env: dict[str, str], on_post_ingestion: bool) -> tuple[Step, Step]:
    """dbt's compiled SQL in one connection, then publishing, in this process, on the bench's build file."""
    from dagster_defs.assets.publish import publish_warehouse

    floor_dir = workdir / "floor"
    _remove(floor_dir)
    # --full-refresh: is_incremental() is false, so the SQL is a first build's, also on the full build's file.
    compile_target = floor_dir / "dbt_compile"
    compile_run = _run(*_dbt_cli(["compile", "--full-refresh"], compile_target, env, workdir),
                       workdir / "logs" / "floor_dbt_compile.log")
    manifest = json.loads((compile_target / "manifest.json").read_text(encoding="utf-8"))

    dbt_part = Step("floor_dbt")
    with _in_process(dbt_part):
        dbt_part.details.update(run_dbt_floor(settings.build_db, manifest))
    dbt_part.details["compile_untimed"] = {**compile_run, **dbt_invocation_summary(compile_target)}
    dbt_part.details["on"] = ("the floor's post-ingestion build file" if on_post_ingestion
                              else "the full build's file (its model tables replaced; no floor ingestion ran)")

    publish = Step("floor_publish")
    floor_warehouse = floor_dir / "warehouse.duckdb"
    with _in_process(publish):
        publish.details["tables"] = len(publish_warehouse(settings.build_db, floor_warehouse))
    publish.details["warehouse_mb"] = round(floor_warehouse.stat().st_size / 2**20, 1)
    _remove(floor_warehouse)  # the report is measured on the full build's warehouse; this copy is no longer needed
    return dbt_part, publish


def _dbt_cli_build(workdir: Path, env: dict[str, str]) -> Step:
    """The dbt CLI on its own (no Dagster): `dbt build --full-refresh` on the bench's build file, then `dbt parse` alone,
    without and with partial parsing."""
    floor_dir = workdir / "floor"
    cli = Step("dbt_cli_build")
    cli_target = floor_dir / "dbt_cli_target"
    _remove(cli_target)
    build_command, build_env = _dbt_cli(["build", "--full-refresh"], cli_target, env, workdir)
    _subprocess_step(cli, [build_command], build_env, workdir / "logs" / "dbt_cli_build.log")
    cli.details["dbt"] = dbt_invocation_summary(cli_target)
    full_target, partial_target = floor_dir / "dbt_parse_full", floor_dir / "dbt_parse_partial"
    _remove(full_target, partial_target)
    full_parse = _run(*_dbt_cli(["parse", "--no-partial-parse"], full_target, env, workdir), workdir / "logs" / "dbt_parse.log")
    partial_parse = _run(*_dbt_cli(["parse"], partial_target, env, workdir), workdir / "logs" / "dbt_parse.log")
    cli.details["parse_only"] = {
        "full_parse_s": full_parse["seconds"], "partial_parse_s": partial_parse["seconds"],
        "full": dbt_invocation_summary(full_target), "partial": dbt_invocation_summary(partial_target),
        "partial_parse_used": dbt_invocation_summary(partial_target).get("partial_parse"),
        "measures": "wall time of `dbt parse` (interpreter start-up included), without and then with partial parsing",
    }
    return cli


def _warm_page_cache(raw_dir: Path) -> dict[str, Any]:
    """Read every raw file once, untimed, so that the bare ingestion reads from the page cache as the loaders do (they run
    after the full build has read the same files). Without it the first step paid for the disk: the bare ingestion of
    the same city-year files took 90 s right after generation and 101 s when the data was reused from an earlier run."""
    started, total = time.perf_counter(), 0
    for path in sorted(raw_dir.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                while block := handle.read(1 << 24):
                    total += len(block)
    return {"seconds": round(time.perf_counter() - started, 3), "mb": round(total / 2**20, 1)}


def _physical(workdir: Path, raw_dir: Path) -> Step:
    step = Step("physical_ingestion")
    db_path = workdir / "physical" / "physical.duckdb"
    warmup = _warm_page_cache(raw_dir)
    with _in_process(step):
        step.details.update(physical_ingestion(raw_dir, db_path))
    _remove(db_path.parent)  # timed; the file is not needed again
    step.details["reference"] = "/work/shared/perf/physical_floor.py (issue #15), plus every other raw source"
    step.details["page_cache_warmup"] = warmup  # untimed, before the step
    return step


def _startup_costs(env: dict[str, str], log: Path) -> dict[str, Any]:
    """Wall time of a Python process that only imports dagster, and one that only loads the project's definitions."""
    python = sys.executable
    return {
        "python_import_dagster_s": _run([python, "-c", "import dagster"], env, log)["seconds"],
        "python_load_definitions_s": _run([python, "-c", "import dagster_defs.definitions"], env, log)["seconds"],
        "dagster_cli_list_s": _run([_venv_tool("dagster"), "asset", "list", "-m", "dagster_defs.definitions"], env, log)["seconds"],
    }


# --------------------------------------------------------------------------------------------------------------------
# Results


def _machine() -> dict[str, Any]:
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cores": os.cpu_count(), "memory_gib": round(memory_kb / 2**20, 1), "cpu": cpu, "kernel": platform.release()}


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _targets(preset: str, result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target whose figure this run measured: its wording, value and whether it is met (None: not judged here)."""
    ratio_target = BUILD_RATIO_TARGETS.get(preset)
    at_scale = preset in PHYSICAL_RATIO_PRESETS
    candidates = {
        "full_build_vs_physical_floor": (
            f"<= {FULL_BUILD_VS_PHYSICAL_MAX_X10 if preset == 'x10' else FULL_BUILD_VS_PHYSICAL_MAX} x physical floor "
            f"(city-year {FULL_BUILD_VS_PHYSICAL_MAX}, x10 {FULL_BUILD_VS_PHYSICAL_MAX_X10})",
            (FULL_BUILD_VS_PHYSICAL_MAX_X10 if preset == "x10" else FULL_BUILD_VS_PHYSICAL_MAX) if at_scale else None),
        "ingestion_vs_physical": (f"<= {INGESTION_VS_PHYSICAL_MAX} x physical ingestion (city-year, x10)",
                                  INGESTION_VS_PHYSICAL_MAX if at_scale else None),
        "full_build_vs_floor": (f"<= {ratio_target} x floor at {preset}" if ratio_target
                                else "2.0 x at city-year, 1.3 x at x10 (none here)", ratio_target),
        "incremental_day_s": (f"<= {INCREMENTAL_MAX_S} s", INCREMENTAL_MAX_S),
        "incremental_vs_full_build": (f"<= {INCREMENTAL_MAX_SHARE_OF_FULL:.0%} of the full build",
                                      INCREMENTAL_MAX_SHARE_OF_FULL),
        # issue 15: "report <= 1 s at city-year" (the report grows with the units and periods, not with the rows)
        "report_s": (f"<= {REPORT_MAX_S} s at city-year", REPORT_MAX_S if preset == "city-year" else None),
        "query_p95_ms": (f"<= {QUERY_P95_MAX_MS} ms", QUERY_P95_MAX_MS),
        "query_new_connection_p95_ms": (f"<= {QUERY_P95_MAX_MS} ms (a new connection per query)", QUERY_P95_MAX_MS),
        "peak_rss_mb": (f"<= {PEAK_RSS_MAX_MB:.0f} MB at city-year and x10",
                        PEAK_RSS_MAX_MB if preset in ("city-year", "x10") else None),
    }
    return {
        name: {"target": wording, "value": result[name], "met": None if limit is None else result[name] <= limit}
        for name, (wording, limit) in candidates.items() if name in result
    }


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 3) if denominator > 0 else float("inf")


def resolve_steps(requested: str | list[str] | None) -> list[str]:
    """The steps to run, in bench order: the requested ones (comma-separated names of STEPS; None: all) and what they need."""
    if requested is None:
        return list(STEPS)
    names = [n.strip() for n in (requested.split(",") if isinstance(requested, str) else requested) if n.strip()]
    unknown = [n for n in names if n not in STEPS]
    if unknown or not names:
        raise BenchOptionError(f"--steps {requested!r}: unknown step(s) {', '.join(unknown) or '(none given)'}; "
                         f"accepted: {', '.join(STEPS)} (comma-separated)")
    chosen, pending = set(), list(names)
    while pending:
        name = pending.pop()
        if name not in chosen:
            chosen.add(name)
            pending.extend(STEP_NEEDS.get(name, ()))
    return [name for name in STEPS if name in chosen]


class BenchOptionError(ValueError):
    """An option of `edukpi bench` that cannot be run as given (the message says what is accepted)."""


class NotEnoughDisk(RuntimeError):
    """A step would not fit on the disk of the work folder (checked before the step, not discovered half-way)."""


def check_disk(step: str, folder: Path, need_bytes: int, what: str) -> dict[str, float]:
    """Stop before `step` when the work folder's disk has less than `need_bytes` free, saying how much of each."""
    free = shutil.disk_usage(folder).free
    if free < need_bytes:
        raise NotEnoughDisk(
            f"bench: step {step} needs about {need_bytes / 2**30:.1f} GB free in {folder} ({what}); only "
            f"{free / 2**30:.1f} GB are free. Free some space, or give --workdir on a larger disk."
        )
    return {"disk_free_mb": round(free / 2**20, 1), "disk_needed_mb": round(need_bytes / 2**20, 1)}


def latest_result(results_dir: Path, preset: str) -> tuple[dict[str, Any], Path] | None:
    """The most recent result of a preset in results_dir (files are named <date>-<preset>.json)."""
    found = sorted(Path(results_dir).glob(f"????-??-??-{preset}.json"))
    return (json.loads(found[-1].read_text(encoding="utf-8")), found[-1]) if found else None


def _disk_estimates(results_dir: Path, preset: str, raw_bytes: int) -> tuple[int, int, str]:
    """Build file and largest spill to expect: the preset's latest result; else another preset's, scaled by the raw data;
    else BUILD_FILE_PER_RAW_BYTE x the raw data, and a spill as large as the build file."""
    same = latest_result(results_dir, preset)
    if same and same[0].get("build_file_mb"):
        return (int(same[0]["build_file_mb"] * 2**20), int((same[0].get("largest_spill_mb") or 0) * 2**20),
                f"from {same[1].name}")
    for other in ("x10", "city-year", "sample", "tiny"):
        found = latest_result(results_dir, other)
        if found and found[0].get("build_file_mb") and found[0].get("raw_mb"):
            scale = raw_bytes / (found[0]["raw_mb"] * 2**20)
            return (int(found[0]["build_file_mb"] * 2**20 * scale),
                    int((found[0].get("largest_spill_mb") or 0) * 2**20 * scale), f"{found[1].name} scaled by the raw data")
    guess = int(raw_bytes * BUILD_FILE_PER_RAW_BYTE)
    return guess, guess, f"{BUILD_FILE_PER_RAW_BYTE:g} x the raw data"


def _duckdb_files(workdir: Path) -> dict[str, float]:
    """Every DuckDB database file in the work folder (not the raw data), MB: the test and the lead check that the bench
    keeps one build file at a time."""
    return {
        path.relative_to(workdir).as_posix(): round(path.stat().st_size / 2**20, 1)
        for pattern in ("*.duckdb", "*/*.duckdb") for path in workdir.glob(pattern) if path.is_file()
    }


def run_bench(preset: str, seed: int, workdir: Path, results_dir: Path, docs_path: Path | None, *,
              query_runs: int = 10, steps: str | list[str] | None = None, raw_dir: Path | None = None) -> dict[str, Any]:
    """Run the bench steps (`steps`, see STEPS; default all) in `workdir`, write results_dir/<date>-<preset>.json and
    (if given) update docs_path. Returns the result written to the JSON file.

    `raw_dir`: raw data of this preset and seed generated elsewhere, read only (no generation is timed; the one-day
    refresh, which adds a day's file to the raw data, is refused).

    `query_runs` timed runs per staff query. DuckDB's memory cap is the project's own (EDUKPI_DUCKDB_MEMORY_LIMIT,
    ingestion/build_db.py) on every build connection, the physical floor's included.
    """
    global _spill_root
    selected = resolve_steps(steps)
    workdir = Path(workdir).resolve()
    data_dir = (PROJECT_ROOT / "data").resolve()
    if workdir == data_dir or data_dir in workdir.parents:
        raise BenchOptionError(f"the bench work folder {workdir} is inside {data_dir}: the bench never touches data/; pick another")
    workdir.mkdir(parents=True, exist_ok=True)
    if raw_dir is not None:
        raw_dir = Path(raw_dir).resolve()
        if not raw_dir.is_dir():
            raise BenchOptionError(f"--raw {raw_dir}: no such folder (generate it with `edukpi generate --preset {preset}`)")
        if "incremental" in selected:
            raise BenchOptionError(f"--raw {raw_dir}: the one-day refresh adds a file to the raw data, which is read only here; "
                             "leave `incremental` out of --steps")
    settings = _settings(workdir, raw_dir)
    # Left by an earlier bench (its copies included): removed first, so that one build file exists at a time.
    _remove(workdir / "logs", settings.build_db.parent, workdir / "floor", workdir / "physical", workdir / "partial-results.json")
    _spill_root = workdir
    started_at = dt.datetime.now().astimezone()
    load_at_start = _load()
    base_env = _pipeline_env(settings, workdir)
    print(f"bench {preset}: steps {', '.join(selected)}", flush=True)

    done: dict[str, Step] = {}
    disk_checks: dict[str, dict[str, float]] = {}
    files_after: dict[str, dict[str, float]] = {}

    def record(step: Step) -> Step:
        step.details["duckdb_files_after_mb"] = files_after[step.name] = _duckdb_files(workdir)
        done[step.name] = step
        print(f"bench {preset}: {step.name} {step.seconds:.2f} s, peak {step.peak_rss_mb:.0f} MB, spill "
              f"{step.largest_spill_mb:.0f} MB, load {step.load_before} -> {step.load_after}", flush=True)
        # Steps done so far, so that an interrupted long run still leaves its figures.
        (workdir / "partial-results.json").write_text(
            json.dumps({name: s.as_dict() for name, s in done.items()}, indent=2, default=str) + "\n", encoding="utf-8")
        return step

    if raw_dir is None:
        record(_generation(preset, seed, workdir, base_env))
    else:
        generation = Step("generation", load_before=_load(), load_after=_load())
        generation.details.update({"reused": True, "raw_dir": str(raw_dir), "measures": "nothing: generated elsewhere"})
        record(generation)
    raw_bytes = _disk_bytes(settings.raw_dir)
    build_bytes, spill_bytes, basis = _disk_estimates(results_dir, preset, raw_bytes)

    def disk_for(name: str) -> None:
        need = int(DISK_NEED_IN_BUILD_FILES.get(name, 0.0) * build_bytes) + spill_bytes
        disk_checks[name] = check_disk(name, workdir, need, f"build file ~{build_bytes / 2**30:.1f} GB ({basis}) x "
                                       f"{DISK_NEED_IN_BUILD_FILES.get(name, 0.0):g} + DuckDB spill ~{spill_bytes / 2**30:.1f} GB")

    startup = None
    try:
        prepared_parse = _prepare_dbt(workdir, base_env) if {"build", "dbt_floor", "dbt_cli"} & set(selected) else None
        for name in selected:
            disk_for(name)
            if name == "physical":
                record(_physical(workdir, settings.raw_dir))
            elif name == "startup":
                startup = _startup_costs(base_env, workdir / "logs" / "startup.log")
            elif name == "build":
                record(_full_build(workdir, settings))
            elif name == "report":
                record(_report(workdir, settings))
            elif name == "queries":
                record(_queries(settings, query_runs))
            elif name == "incremental":
                record(_one_day(workdir, settings))
            elif name == "floor":
                record(_floor_ingestion(settings))
            elif name == "dbt_floor":
                for step in _dbt_floor(workdir, settings, base_env, on_post_ingestion="floor" in selected):
                    record(step)
            elif name == "dbt_cli":
                record(_dbt_cli_build(workdir, base_env))
        build_file_mb = max([mb for files in files_after.values() for path, mb in files.items()
                             if path == "build/warehouse.duckdb"], default=0.0)
    finally:
        _spill_root = None
        _remove(settings.build_db.parent)  # no step needs the build file any more (the published warehouse stays)

    result = _result(preset, seed, started_at, load_at_start, selected, done, results_dir)
    result.update({
        "raw_mb": round(raw_bytes / 2**20, 1),
        "build_file_mb": build_file_mb,
        "disk_checks": disk_checks,
        "dbt_prepare_parse": prepared_parse,
    })
    if startup is not None:
        result["startup"] = startup
    result["targets"] = _targets(preset, result)

    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    out = results_dir / f"{started_at:%Y-%m-%d}-{preset}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"bench {preset}: results in {out}", flush=True)
    if docs_path is not None:
        update_docs(Path(docs_path), result, out, results_dir)
        print(f"bench {preset}: {docs_path} updated", flush=True)
    return result


def _dbt_invocations(steps: dict[str, Step]) -> list[dict[str, Any]]:
    """Every dbt invocation the timed steps made and whether it parsed partially (a forced full parse is marked)."""
    found = []
    for name in ("full_build", "incremental_day"):
        for run in steps[name].details.get("dagster_runs", []) if name in steps else []:
            for key, step in run["steps"].items():
                if step.get("dbt"):
                    found.append({"where": f"{name}: {run['job']} step {key}", "dbt": step["dbt"]})
    if "floor_dbt" in steps:
        found.append({"where": "floor_dbt: dbt compile (not timed)", "dbt": steps["floor_dbt"].details["compile_untimed"]})
    if "dbt_cli_build" in steps:
        cli = steps["dbt_cli_build"].details
        found.append({"where": "dbt_cli_build: dbt build", "dbt": cli["dbt"]})
        found.append({"where": "dbt_cli_build: dbt parse --no-partial-parse", "dbt": cli["parse_only"]["full"],
                      "full_parse_forced": True})
        found.append({"where": "dbt_cli_build: dbt parse", "dbt": cli["parse_only"]["partial"]})
    return [{"where": f["where"], "partial_parse": f["dbt"].get("partial_parse"), "parse_s": f["dbt"].get("parse_s"),
             "partial_parse_refused_because": f["dbt"].get("partial_parse_refused_because", []),
             **({"full_parse_forced": True} if f.get("full_parse_forced") else {})} for f in found]


def _result(preset: str, seed: int, started_at: dt.datetime, load_at_start: list[float], selected: list[str],
            steps: dict[str, Step], results_dir: Path) -> dict[str, Any]:
    """The figures of the steps that ran; a figure whose steps did not run is left out (not written as zero)."""
    seconds = {name: step.seconds for name, step in steps.items()}
    result: dict[str, Any] = {
        "preset": preset,
        "seed": seed,
        "steps_run": selected,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {**_machine(), "load_at_start": load_at_start, "load_at_end": _load()},
        "versions": _versions(),
        "generation_s": round(seconds["generation"], 3) if "raw_dir" not in steps["generation"].details else None,
        "generation_reused": steps["generation"].details.get("reused", False),
        "raw_dir": steps["generation"].details.get("raw_dir", "generated in the work folder"),
        "duckdb_memory_limit": memory_limit(),
    }
    if "full_build" in seconds:
        result["full_build_s"] = round(seconds["full_build"], 3)
    if "report" in seconds:
        result["report_s"] = round(seconds["report"], 3)
    # Both floors: the rest of the work done without orchestration = compiled dbt SQL + publish + the report.
    rest = (seconds["floor_dbt"] + seconds["floor_publish"] + seconds["report"]) if "floor_dbt" in seconds else None
    if "floor_dbt" in seconds:
        result["floor_dbt_s"] = round(seconds["floor_dbt"], 3)
        result["floor_publish_s"] = round(seconds["floor_publish"], 3)
    if "floor_ingestion" in seconds and rest is not None:
        result["floor_ingestion_s"] = round(seconds["floor_ingestion"], 3)
        result["floor_s"] = round(seconds["floor_ingestion"] + rest, 3)
        result["full_build_vs_floor"] = _ratio(seconds["full_build"], result["floor_s"])
    if "physical_ingestion" in seconds and rest is not None:
        result["physical_ingestion_s"] = round(seconds["physical_ingestion"], 3)
        result["physical_floor_s"] = round(seconds["physical_ingestion"] + rest, 3)
        result["full_build_vs_physical_floor"] = _ratio(seconds["full_build"], result["physical_floor_s"])
        if "floor_ingestion" in seconds:
            # The project's loaders (the floor's ingestion, no Dagster) against the bare read + write of the same files.
            result["ingestion_vs_physical"] = _ratio(seconds["floor_ingestion"], seconds["physical_ingestion"])
    if "incremental_day" in seconds:
        result["incremental_day_s"] = round(seconds["incremental_day"], 3)
        result["incremental_vs_full_build"] = _ratio(seconds["incremental_day"], seconds["full_build"])
    if "staff_queries" in steps:
        result["query_p50_ms"] = steps["staff_queries"].details["p50_ms"]
        result["query_p95_ms"] = steps["staff_queries"].details["p95_ms"]
        result["query_new_connection_p95_ms"] = steps["staff_queries"].details["new_connection_p95_ms"]
    if "dbt_cli_build" in seconds and "floor_dbt" in seconds:
        result["dbt_cli_build_s"] = round(seconds["dbt_cli_build"], 3)
        result["dbt_cli_vs_floor_dbt"] = _ratio(seconds["dbt_cli_build"], seconds["floor_dbt"])
    measured = [s for s in steps.values() if not s.details.get("reused")]
    project = [s for s in measured if s.name not in REFERENCE_STEPS] or measured
    result["peak_rss_mb"] = round(max(s.peak_rss_mb for s in project), 1)
    result["peak_rss_step"] = max(project, key=lambda s: s.peak_rss_mb).name
    reference = [s for s in measured if s.name in REFERENCE_STEPS]
    if reference:
        result["reference_peak_rss_mb"] = round(max(s.peak_rss_mb for s in reference), 1)
        result["reference_peak_rss_step"] = max(reference, key=lambda s: s.peak_rss_mb).name
    result["largest_spill_mb"] = round(max(s.largest_spill_mb for s in measured), 1)
    result["largest_spill_step"] = max(measured, key=lambda s: s.largest_spill_mb).name if result["largest_spill_mb"] else None
    invocations = _dbt_invocations(steps)
    result["dbt_invocations"] = invocations
    result["dbt_partial_parse_all"] = all(i["partial_parse"] for i in invocations if not i.get("full_parse_forced"))
    if preset != "city-year" and "full_build_s" in result:
        city_year = latest_result(results_dir, "city-year")
        if city_year and city_year[0].get("full_build_s"):
            result["full_build_vs_city_year"] = _ratio(result["full_build_s"], city_year[0]["full_build_s"])
            result["city_year_result"] = city_year[1].name
    result["steps"] = {name: step.as_dict() for name, step in steps.items()}
    return result


# --------------------------------------------------------------------------------------------------------------------
# docs/benchmarks.md: one generated section per preset, between markers; the rest of the file is written by people


def _met(flag: bool | None) -> str:
    return "n/a" if flag is None else ("**met**" if flag else "**missed**")


def _dagster_breakdown(runs: list[dict[str, Any]]) -> list[str]:
    lines = []
    for run in runs:
        label = run["job"] + (f" partition {run['partition']}" if run.get("partition") else "")
        if run["partition_range"][0]:
            label += f" partitions {run['partition_range'][0]}…{run['partition_range'][1]}"
        counts = run["event_counts"]
        lines.append(f"- run `{label}`: events span {run['events_s']:.1f} s; "
                     f"{counts.get('ASSET_MATERIALIZATION_PLANNED', 0)} planned + {counts.get('ASSET_MATERIALIZATION', 0)} "
                     f"materialisation events, {counts.get('ASSET_CHECK_EVALUATION', 0)} check evaluations; "
                     f"writing the planned events took {run['planned_events_s']:.1f} s")
        for key, step in run["steps"].items():
            text = f"  - step `{key}` {step['seconds']:.1f} s"
            if step["materializations"] > 1:
                text += f" ({step['materializations']} materialisation events over {step['materialization_events_span_s']:.1f} s)"
            dbt = step.get("dbt")
            if dbt and dbt.get("wall_s") is not None:
                nodes = ", ".join(f"{kind} {v['count']}× {v['seconds']:.1f} s" for kind, v in dbt.get("nodes", {}).items())
                text += (f"; before dbt starts {_seconds(dbt.get('dagster_before_dbt_s', 0))} s, dbt parse "
                         f"{_seconds(dbt.get('parse_s'))} s ({'partial' if dbt.get('partial_parse') else 'full'}), dbt execution "
                         f"{_seconds(dbt.get('execute_s'))} s [{nodes}], after dbt ends {_seconds(dbt.get('dagster_after_dbt_s', 0))} s")
            lines.append(text)
    return lines


def _seconds(value: float | None) -> str:
    """A figure the dbt log did not give (e.g. a step with two dbt invocations) is shown as such, not as a crash."""
    return "n/a" if value is None else f"{value:.1f}"


def _dbt_line(dbt: dict[str, Any]) -> str:
    nodes = ", ".join(f"{kind} {v['count']}× {v['seconds']:.1f} s" for kind, v in dbt.get("nodes", {}).items())
    return (f"parse {_seconds(dbt.get('parse_s'))} s ({'partial' if dbt.get('partial_parse') else 'full'}), "
            f"execution {_seconds(dbt.get('execute_s'))} s [{nodes}]")


def render_section(result: dict[str, Any], json_path: Path) -> str:
    steps = result["steps"]
    machine = result["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in result["versions"].items())

    def row(label: str, name: str, time_text: str | None = None) -> tuple[str, str, str, str, str]:
        step = steps[name]
        return (label, time_text or f"{step['seconds']:.1f} s", f"{step['peak_rss_mb']:.0f}",
                f"{step.get('largest_spill_mb', 0):.0f}", f"{step['load_before'][0]:.2f} → {step['load_after'][0]:.2f}")

    rows = [row("generation", "generation", "not run: raw data from " + result["raw_dir"] if result.get("generation_s") is None
                else f"{result['generation_s']:.1f} s" + (" (reused, measured earlier)" if result["generation_reused"] else ""))]
    if "physical_ingestion" in steps:
        rows.append(row("physical ingestion: bare read + write of every raw file", "physical_ingestion"))
    if "full_build" in steps:
        rows.append(row("full build through Dagster (`edukpi materialize`)", "full_build"))
    if "floor_ingestion" in steps:
        rows.append(row("floor: the project's loaders in process", "floor_ingestion"))
    if "floor_dbt" in steps:
        rows.append(row("floor: dbt's compiled SQL in one DuckDB", "floor_dbt"))
        rows.append(row("floor: publish", "floor_publish"))
    if "floor_s" in result:
        rows.append(("**floor** (loaders + dbt SQL + publish + report)", f"**{result['floor_s']:.1f} s**", "", "", ""))
    if "physical_floor_s" in result:
        rows.append(("**physical floor** (bare ingestion + dbt SQL + publish + report)",
                     f"**{result['physical_floor_s']:.1f} s**", "", "", ""))
    if "dbt_cli_build" in steps:
        rows.append(row("`dbt build --full-refresh` CLI alone on the same build file", "dbt_cli_build"))
    if "incremental_day" in steps:
        rows.append(row(f"one-day refresh ({steps['incremental_day']['day']}: daily run + refresh job)", "incremental_day"))
    if "report" in steps:
        rows.append(row(f"report rendering ({steps['report']['pages']} pages)", "report"))
    if "staff_queries" in steps:
        queries = steps["staff_queries"]
        rows.append(row(f"staff queries ({queries['queries']} × {queries['runs_each']} runs)", "staff_queries",
                        f"p50 {result['query_p50_ms']:.1f} ms, p95 {result['query_p95_ms']:.1f} ms as the shell runs them"
                        + (f"; a new connection per query p95 {result['query_new_connection_p95_ms']:.1f} ms"
                           if "query_new_connection_p95_ms" in result else "")))
    ratios = [f"{label} **{result[key]:.2f}×**" for key, label in (
        ("full_build_vs_physical_floor", "full build / physical floor"), ("ingestion_vs_physical", "loaders / physical ingestion"),
        ("full_build_vs_floor", "full build / floor"), ("dbt_cli_vs_floor_dbt", "`dbt build` CLI / dbt floor"),
        ("full_build_vs_city_year", "full build / city-year's"),
    ) if key in result]
    if "incremental_vs_full_build" in result:
        ratios.append(f"one-day refresh / full build {result['incremental_vs_full_build']:.1%}")
    partial = [i for i in result.get("dbt_invocations", []) if not i.get("full_parse_forced")]
    lines = [
        f"### {result['preset']} (seed {result['seed']}), {result['started_at']}",
        "",
        f"Steps: {', '.join(result.get('steps_run', []))}. Machine: {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"{machine['cpu']}; DuckDB memory_limit {result.get('duckdb_memory_limit', 'not set')}; load average (1/5/15 min) "
        f"{machine['load_at_start']} at the start, {machine['load_at_end']} at the end. Raw data {result.get('raw_mb', 0):.0f} MB, "
        f"build file {result.get('build_file_mb', 0):.0f} MB. Versions: {versions}. "
        f"Raw JSON: `{json_path.relative_to(PROJECT_ROOT) if PROJECT_ROOT in json_path.parents else json_path.name}`.",
        "",
        "| step | time | peak RSS MB | largest spill MB | load (1 min) before → after |",
        "|---|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows],
        "",
        "Ratios: " + "; ".join(ratios) + f". Peak RSS of the project's steps {result['peak_rss_mb']:.0f} MB "
        f"({result.get('peak_rss_step', '')})"
        + (f", of the bench's reference steps {result['reference_peak_rss_mb']:.0f} MB ({result['reference_peak_rss_step']})"
           if "reference_peak_rss_mb" in result else "")
        + f"; largest DuckDB spill {result.get('largest_spill_mb', 0):.0f} MB "
        f"({result.get('largest_spill_step', '')}). dbt invocations parsing partially: "
        f"{sum(1 for i in partial if i['partial_parse'])} of {len(partial)}.",
        "",
        "| target | value | |",
        "|---|---|---|",
        *[f"| {t['target']} ({name}) | {t['value']} | {_met(t['met'])} |" for name, t in result["targets"].items()],
    ]
    if "startup" in result:
        lines += ["", f"Start-up: `python -c 'import dagster'` {result['startup']['python_import_dagster_s']:.1f} s, loading "
                  f"`dagster_defs.definitions` {result['startup']['python_load_definitions_s']:.1f} s, `dagster asset list` "
                  f"{result['startup']['dagster_cli_list_s']:.1f} s (each a fresh process)."]
    if "full_build" in steps:
        lines += ["", "Where the full build's time went:",
                  f"- outside the runs' events (edukpi and Dagster CLI start-up, definitions load, exit): "
                  f"{steps['full_build']['cli_outside_runs_s']:.1f} s",
                  *_dagster_breakdown(steps["full_build"]["dagster_runs"])]
    if "incremental_day" in steps:
        lines += ["", "Where the one-day refresh's time went:",
                  *[f"- `{inv['command'][:90]}`: {inv['seconds']:.1f} s, of which {inv.get('outside_run_events_s', 0):.1f} s "
                    "outside the run's events" for inv in steps["incremental_day"]["invocations"]],
                  *_dagster_breakdown(steps["incremental_day"]["dagster_runs"])]
    if "physical_ingestion" in steps:
        physical = steps["physical_ingestion"]
        lines += ["", f"Physical ingestion detail: GA4 {physical['ga4_s']:.1f} s ({physical['ga4_files']} files), access logs "
                  f"{physical['access_logs_s']:.1f} s ({physical['access_log_files']} files), the other sources "
                  f"{physical['other_sources_s']:.1f} s, closing the file {physical['close_s']:.1f} s; file "
                  f"{physical['file_mb']:.0f} MB (deleted after the step)."]
    if "floor_ingestion" in steps:
        lines += ["", "Floor ingestion per source: " + ", ".join(
            f"{k} {v['seconds']:.1f} s" for k, v in steps["floor_ingestion"]["sources"].items()) + "."]
    if "floor_dbt" in steps:
        floor_dbt = steps["floor_dbt"]
        lines += ["", f"dbt floor on {floor_dbt.get('on', 'the build file')}: seeds {floor_dbt.get('seeds_s', 0):.2f} s, "
                  f"{floor_dbt['models']} models {floor_dbt.get('models_s', 0):.1f} s, {floor_dbt['data_tests']} data tests "
                  f"{floor_dbt.get('data_tests_s', 0):.1f} s ({len(floor_dbt['data_tests_failing'])} failing)."]
    if "dbt_cli_build" in steps:
        cli = steps["dbt_cli_build"]
        lines.append(f"`dbt build --full-refresh` alone: {_dbt_line(cli['dbt'])}; `dbt parse` alone "
                     f"{cli['parse_only']['full_parse_s']:.1f} s full, {cli['parse_only']['partial_parse_s']:.1f} s partial.")
    return "\n".join(lines) + "\n"


SCALE_PRESETS = ("sample", "city-year", "x10")


def _current_rows(results: dict[str, dict[str, Any]]) -> list[str]:
    """One row per headline figure: its value at each preset's latest result, the target, and whether it is met."""
    def value(result: dict[str, Any] | None, key: str, unit: str) -> str:
        if not result or key not in result:
            return "–"
        number = result[key]
        return f"{number:.2f} ×" if unit == "x" else f"{number:,.0f} {unit}" if unit == "MB" else f"{number:.1f} {unit}"

    def limit(key: str) -> str:
        """What limits the figure, read from the largest result that has it."""
        result = next((results[p] for p in reversed(SCALE_PRESETS) if p in results and key in results[p]), None)
        if result is None:
            return ""
        steps = result["steps"]
        if key in ("full_build_vs_physical_floor", "full_build_vs_floor") and "full_build" in steps:
            floor = result.get("physical_floor_s" if key.startswith("full_build_vs_p") else "floor_s", 0)
            return (f"orchestration and the loaders: full build − floor = {result['full_build_s'] - floor:.0f} s "
                    f"({result['preset']})")
        if key == "ingestion_vs_physical":
            sources = steps["floor_ingestion"]["sources"]
            slowest = max(sources, key=lambda name: sources[name]["seconds"])
            return f"slowest loader {slowest} {sources[slowest]['seconds']:.0f} s ({result['preset']})"
        if key == "incremental_day_s" and "incremental_day" in steps:
            dagster_steps = [(f"{run['job']} {k}", v["seconds"]) for run in steps["incremental_day"].get("dagster_runs", [])
                             for k, v in run["steps"].items()]
            if dagster_steps:
                name, seconds = max(dagster_steps, key=lambda item: item[1])
                return f"largest Dagster step: {name} {seconds:.0f} s ({result['preset']})"
        if key == "query_new_connection_p95_ms" and "connect_p50_ms" in steps.get("staff_queries", {}):
            return (f"opening a DuckDB database (even `:memory:` takes ~20 ms here): connect p50 "
                    f"{steps['staff_queries']['connect_p50_ms']:.0f} ms ({result['preset']})")
        if key == "reference_peak_rss_mb":
            return f"step {result['reference_peak_rss_step']} ({result['preset']}); not judged: the bench's own work"
        if key in ("peak_rss_mb", "largest_spill_mb"):
            step_name = result.get("peak_rss_step" if key == "peak_rss_mb" else "largest_spill_step")
            return f"step {step_name} ({result['preset']})" if step_name else ""
        return ""

    figures = [
        ("full build", "full_build_s", "s", None), ("physical floor", "physical_floor_s", "s", None),
        ("full build / physical floor", "full_build_vs_physical_floor", "x", "full_build_vs_physical_floor"),
        ("loaders / physical ingestion", "ingestion_vs_physical", "x", "ingestion_vs_physical"),
        ("full build / floor", "full_build_vs_floor", "x", "full_build_vs_floor"),
        ("one-day refresh", "incremental_day_s", "s", "incremental_day_s"),
        ("report", "report_s", "s", "report_s"),
        ("staff query p95 (the shell: one connection)", "query_p95_ms", "ms", "query_p95_ms"),
        ("staff query p95 (a new connection per query)", "query_new_connection_p95_ms", "ms", "query_new_connection_p95_ms"),
        ("peak memory (the project's steps)", "peak_rss_mb", "MB", "peak_rss_mb"),
        ("peak memory (the bench's generator and floors)", "reference_peak_rss_mb", "MB", None),
        ("largest DuckDB spill", "largest_spill_mb", "MB", None),
    ]
    wording = {
        "full_build_vs_physical_floor": f"≤ {FULL_BUILD_VS_PHYSICAL_MAX} × at city-year, ≤ {FULL_BUILD_VS_PHYSICAL_MAX_X10} × at x10",
        "ingestion_vs_physical": f"≤ {INGESTION_VS_PHYSICAL_MAX} × (city-year, x10)",
        "full_build_vs_floor": " / ".join(f"≤ {v} × at {p}" for p, v in BUILD_RATIO_TARGETS.items()),
        "incremental_day_s": f"≤ {INCREMENTAL_MAX_S:g} s", "report_s": f"≤ {REPORT_MAX_S:g} s at city-year",
        "query_p95_ms": f"≤ {QUERY_P95_MAX_MS:g} ms", "query_new_connection_p95_ms": f"≤ {QUERY_P95_MAX_MS:g} ms",
        "peak_rss_mb": f"≤ {PEAK_RSS_MAX_MB:,.0f} MB at city-year and x10",
    }
    rows = []
    for label, key, unit, target_key in figures:
        target = wording.get(target_key or "", "—")
        met = [f"{p}: {_met(results[p]['targets'][target_key]['met'])}" for p in SCALE_PRESETS
               if target_key and p in results and target_key in results[p].get("targets", {})
               and results[p]["targets"][target_key]["met"] is not None]
        rows.append(f"| {label} | " + " | ".join(value(results.get(p), key, unit) for p in SCALE_PRESETS)
                    + f" | {target} | {', '.join(met) or 'n/a'} | {limit(key)} |")
    big, city = results.get("x10", {}), results.get("city-year", {})
    if "full_build_s" in big and "full_build_s" in city:
        growth = big["full_build_s"] / city["full_build_s"]
        rows.append(f"| x10 full build / city-year full build | – | – | {growth:.2f} × | ≤ {X10_GROWTH_MAX:g} × (linear) "
                    f"| x10: {_met(growth <= X10_GROWTH_MAX)} | raw data {big.get('raw_mb', 0) / max(city.get('raw_mb', 1), 1):.1f} × |")
    return rows


def _as_current(result: dict[str, Any]) -> dict[str, Any]:
    """A result in today's terms: before 2026-11-30 (afternoon) `query_p95_ms` timed a new connection per query, which
    is today's `query_new_connection_p95_ms`; such a result has no figure for the shell's one connection."""
    if "query_p95_ms" not in result or "query_new_connection_p95_ms" in result:
        return result
    renamed = {key: value for key, value in result.items() if key not in ("query_p50_ms", "query_p95_ms")}
    renamed["query_new_connection_p95_ms"] = result["query_p95_ms"]
    targets = dict(result.get("targets", {}))
    if "query_p95_ms" in targets:
        targets["query_new_connection_p95_ms"] = targets.pop("query_p95_ms")
    renamed["targets"] = targets
    return renamed


def render_current(results_dir: Path) -> str:
    """The summary at the top of docs/benchmarks.md, from each scale preset's latest result in results_dir."""
    found = {p: latest_result(results_dir, p) for p in SCALE_PRESETS}
    # Judged by today's targets (_targets), whatever the bench that wrote the result judged.
    results = {p: {**current, "targets": _targets(p, current)} for p, r in found.items() if r
               for current in [_as_current(r[0])]}
    sources = ", ".join(f"`{r[1].name}`" for r in found.values() if r)
    columns = ("raw_mb", "full_build_s", "physical_floor_s", "floor_s", "peak_rss_mb", "largest_spill_mb", "build_file_mb")
    growth = [
        f"| {p} | " + " | ".join(f"{value[key]:,.0f}" if value.get(key) is not None else "–" for key in columns)
        + f" | {value['machine']['load_at_start'][0]:.1f} → {value['machine']['load_at_end'][0]:.1f} |"
        for p, value in results.items()
    ]
    return "\n".join([
        "## Current figures",
        "",
        f"Generated by `edukpi bench` from the latest result of each preset ({sources or 'none yet'}); – : not measured "
        "in that run (`--steps`), or by an older bench that did not have the figure.",
        "",
        "| figure | " + " | ".join(SCALE_PRESETS) + " | target | met? | what limits it |",
        "|---|" + "---|" * len(SCALE_PRESETS) + "---|---|---|",
        *_current_rows(results),
        "",
        "### How the figures grow",
        "",
        "Sample → city-year → x10 (–: not measured in that run; the load average says how busy the shared machine was):",
        "",
        "| preset | raw MB | full build s | physical floor s | floor s | peak RSS MB | largest spill MB | build file MB | load (1 min) start → end |",
        "|---|---|---|---|---|---|---|---|---|",
        *growth,
    ]) + "\n"


def _replace_between(text: str, name: str, body: str, where: str) -> str:
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    section = f"{begin}\n{body}{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: section, text)
    if where == "top":  # after the title and its first paragraph
        head, _, tail = text.partition("\n## ")
        return head.rstrip("\n") + "\n\n" + section + "\n\n## " + tail if tail else text.rstrip("\n") + "\n\n" + section + "\n"
    return text.rstrip("\n") + "\n\n" + section + "\n"


def update_docs(docs_path: Path, result: dict[str, Any], json_path: Path, results_dir: Path | None = None) -> None:
    """Replace (or add) the generated section of this preset, and the current-figures summary, in docs/benchmarks.md;
    everything else is left as it is."""
    text = docs_path.read_text(encoding="utf-8") if docs_path.exists() else "# Benchmarks\n\n## Results\n"
    text = _replace_between(text, result["preset"], render_section(result, json_path), "end")
    text = _replace_between(text, "current", render_current(Path(results_dir or json_path.parent)), "top")
    docs_path.parent.mkdir(parents=True, exist_ok=True)
    docs_path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.run --preset sample` (the same as `edukpi bench`)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="city-year", choices=["tiny", "sample", "city-year", "x10"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir")
    parser.add_argument("--query-runs", type=int, default=10)
    parser.add_argument("--steps", help=f"comma-separated, from {','.join(STEPS)} (default all; each brings what it needs)")
    parser.add_argument("--raw", help="raw data of this preset generated elsewhere, read only (no generation, no one-day refresh)")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir) if args.workdir else PROJECT_ROOT / "bench" / "work" / args.preset
    try:
        run_bench(args.preset, args.seed, workdir, PROJECT_ROOT / "bench" / "results", PROJECT_ROOT / "docs" / "benchmarks.md",
                  query_runs=args.query_runs, steps=args.steps, raw_dir=Path(args.raw) if args.raw else None)
    except (NotEnoughDisk, BenchOptionError) as error:
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main()
