"""`edukpi bench`: what a full build, a one-day refresh, the reports and staff queries cost, against the floor without Dagster or dbt.

Everything happens in a work folder (default bench/work/<preset>): generated raw data, build and published warehouses,
a Dagster home, logs. Figures go to bench/results/<date>-<preset>.json and docs/benchmarks.md (see that file for what
each figure contains).
"""
from __future__ import annotations

import datetime as dt
import graphlib
import importlib.metadata
import importlib.util
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

from edukpi.settings import DBT_PROJECT_DIR, PROJECT_ROOT, SAMPLE_MARKER, Settings
from ingestion.build_db import memory_limit

QUERIES_FILE = PROJECT_ROOT / "bench" / "queries.sql"
GENERATION_MARKER = "bench-generation.json"
VERSIONED_PACKAGES = ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "polars", "plotly", "pyarrow")
# Issue 7's targets. The build ratio has a target only at city scale; memory is judged at city-year.
BUILD_RATIO_TARGETS = {"city-year": 2.0, "x10": 1.3}
INCREMENTAL_MAX_S = 10.0
INCREMENTAL_MAX_SHARE_OF_FULL = 0.10
REPORT_MAX_S = 5.0
QUERY_P95_MAX_MS = 100.0
PEAK_RSS_MAX_MB = 4096.0
RSS_SAMPLE_INTERVAL_S = 0.1
REQUIRED_KEYS = (
    "generation_s", "full_build_s", "floor_s", "full_build_vs_floor", "incremental_day_s", "report_s",
    "query_p50_ms", "query_p95_ms", "peak_rss_mb",
)


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


class _RssSampler(threading.Thread):
    """Samples the summed resident memory of this process's children (and itself, for in-process steps)."""

    def __init__(self, include_self: bool) -> None:
        super().__init__(daemon=True)
        self.include_self = include_self
        self.peak_bytes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_bytes = max(self.peak_bytes, _descendants_rss(os.getpid(), self.include_self))
            self._stop_event.wait(RSS_SAMPLE_INTERVAL_S)

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
    load_before: list[float] = field(default_factory=list)
    load_after: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
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
    }


def _subprocess_step(step: Step, commands: list[list[str]], env: dict[str, str], log_path: Path) -> list[dict[str, Any]]:
    step.load_before = _load()
    runs = [_run(command, env, log_path) for command in commands]
    step.load_after = _load()
    step.seconds = sum(run["seconds"] for run in runs)
    step.peak_rss_mb = max(max(run["max_process_rss_mb"], run["tree_rss_mb"]) for run in runs)
    step.details["peak_rss_method"] = "max of wait4 ru_maxrss (largest process) and the sampled sum of the process tree"
    step.details["invocations"] = runs
    return runs


# --------------------------------------------------------------------------------------------------------------------
# The pipeline as analysts run it


def _venv_tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _pipeline_env(settings: Settings, dagster_home: Path) -> dict[str, str]:
    """The environment `edukpi materialize` gives Dagster and dbt, with the bench's own Dagster home."""
    from edukpi.runtime import runtime_env

    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    # No DBT_TARGET_PATH: dbt's artifacts go where analysts' runs put them (dbt_project/target/<op>-<run>-<id>).
    env = {k: v for k, v in runtime_env(settings).items() if k != "DBT_TARGET_PATH"}
    env["DAGSTER_HOME"] = str(dagster_home)
    return env


def _settings(root: Path, name: str = "") -> Settings:
    base = root / name if name else root
    return Settings(
        raw_dir=root / "raw",
        build_db=base / "build" / "warehouse.duckdb",
        warehouse_db=base / "warehouse.duckdb",
        reports_dir=base / "reports",
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
    """From a dbt target folder (dbt.log in JSON lines, run_results.json): parse, execution and per-type node times."""
    summary: dict[str, Any] = {"target": target_dir.name}
    log = target_dir / "dbt.log"
    if log.exists():
        first = parsed = completed = None
        reasons = []
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            info = json.loads(line).get("info", {})
            ts = _iso_ts(info["ts"]) if "ts" in info else None
            first = first or ts
            name = info.get("name")
            if name == "UnableToPartialParse":
                reasons.append(info.get("msg", ""))
            elif name in ("FoundStats", "ConcurrencyLine") and parsed is None:
                parsed = ts
            elif name == "CommandCompleted":
                completed = ts
        summary.update({
            "started_at": first,
            "ended_at": completed,
            "parse_s": round(parsed - first, 3) if first and parsed else None,
            "execute_s": round(completed - parsed, 3) if parsed and completed else None,
            "wall_s": round(completed - first, 3) if first and completed else None,
            "partial_parse": not reasons,
            "partial_parse_refused_because": reasons[:2],
        })
    results = target_dir / "run_results.json"
    if results.exists():
        data = json.loads(results.read_text(encoding="utf-8"))
        by_type: dict[str, dict[str, float]] = defaultdict(lambda: {"count": 0, "seconds": 0.0})
        for result in data.get("results", []):
            kind = result["unique_id"].split(".")[0]
            by_type[kind]["count"] += 1
            by_type[kind]["seconds"] = round(by_type[kind]["seconds"] + (result.get("execution_time") or 0.0), 3)
        summary["run_results_elapsed_s"] = round(data.get("elapsed_time") or 0.0, 3)
        summary["nodes"] = dict(by_type)
        slowest = sorted(data.get("results", []), key=lambda r: r.get("execution_time") or 0.0, reverse=True)[:5]
        summary["slowest_nodes"] = {r["unique_id"]: round(r.get("execution_time") or 0.0, 3) for r in slowest}
    return summary


def _collect_dbt_runs(runs: list[dict[str, Any]], archive: Path) -> None:
    """Attach the dbt invocations of each Dagster dbt step, then move their target folders out of dbt_project/target."""
    target_root = DBT_PROJECT_DIR / "target"
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


class _PythonModelDbt:
    """The `dbt` argument of a Python model, enough for models that only call dbt.config() (int_calendar_days)."""

    def config(self, **_: Any) -> None:
        return None

    def ref(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the bench floor runs Python models without ref()/source(); materialise them here")

    source = ref


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
    """Seeds, the Python model, every SQL model (compiled by dbt) in dependency order, then every data test, in one DuckDB."""
    nodes = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    tests = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "test" and n.get("compiled_code")}
    timings: dict[str, float] = defaultdict(float)
    node_seconds: dict[str, float] = {}
    failures: dict[str, int] = {}
    con = duckdb.connect(str(db_path))
    try:
        con.execute("set enable_progress_bar = false")
        for name, value in _profile_settings().items():
            con.execute(f"set {name} = '{value}'")
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
                path = Path(node.get("root_path") or DBT_PROJECT_DIR) / node["original_file_path"]
                spec = importlib.util.spec_from_file_location(f"_bench_{node['name']}", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                table = module.model(_PythonModelDbt(), con)
                con.register("_python_model_result", table)
                con.execute(f"create or replace table {node['relation_name']} as select * from _python_model_result")
                con.unregister("_python_model_result")
                kind = "python_models_s"
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


def _raw_read_floor(raw_dir: Path) -> dict[str, Any]:
    """Reading the analytics files once with plain DuckDB (row counts only): the I/O under ingestion's checks."""
    ga4 = sorted(str(p) for p in (raw_dir / "analytics" / "ga4").glob("events_*.parquet"))
    logs = sorted(str(p) for p in (raw_dir / "analytics" / "access_logs").rglob("access-*.log*"))
    result: dict[str, Any] = {}
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        started = time.perf_counter()
        # Every column ingestion reads is decoded (a bare count(*) would only read the Parquet footers).
        result["ga4_rows"] = con.execute(
            "select count(*) from read_parquet(?) where event_name is not null or event_timestamp is not null "
            "or user_pseudo_id is not null or len(event_params) >= 0 or device.category is not null "
            "or geo.city is not null or traffic_source.source is not null", [ga4]
        ).fetchone()[0] if ga4 else 0
        result["ga4_s"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        result["access_log_lines"] = con.execute(
            "select count(*) from read_csv(?, columns = {'line': 'VARCHAR'}, header = false, delim = '', quote = '', "
            "escape = '', compression = 'auto')", [logs]
        ).fetchone()[0] if logs else 0
        result["access_logs_s"] = round(time.perf_counter() - started, 3)
    finally:
        con.close()
    return result


def _dbt_cli(args: list[str], db_path: Path, target: Path, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """A dbt command on `db_path`, with its artifacts and logs (JSON lines) in `target`, and its environment."""
    command = [_venv_tool("dbt"), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
               "--target-path", str(target), "--log-path", str(target)]
    return command, {**env, "EDUKPI_BUILD_DB": str(db_path), "DBT_LOG_FORMAT_FILE": "json"}


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
    env = _pipeline_env(settings, dagster_home)
    since = time.time()
    runs = _subprocess_step(step, [[_venv_tool("edukpi"), "materialize"]], env, workdir / "logs" / "full_build.log")
    dagster_runs = _dagster_runs(dagster_home, since)
    _collect_dbt_runs(dagster_runs, workdir / "dbt_runs")
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
    env = _pipeline_env(settings, workdir / "dagster_home")
    # What an analyst runs for a new day: its analytics partition, then everything else, in one process.
    commands = [[_venv_tool("edukpi"), "materialize", "--days", new_day.isoformat()]]
    since = time.time()
    try:
        runs = _subprocess_step(step, commands, env, workdir / "logs" / "incremental_day.log")
    finally:
        new_file.unlink()  # the generated data stays as generated (it is reused by the next bench of this preset)
    dagster_runs = _dagster_runs(workdir / "dagster_home", since)
    _collect_dbt_runs(dagster_runs, workdir / "dbt_runs")
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
    """Each staff query `runs` times (after one untimed warm-up), each time on a new locked read-only connection."""
    from edukpi.sql import connect_readonly

    step = Step("staff_queries")
    queries = load_queries()
    samples: list[float] = []
    per_query = {}
    with _in_process(step):
        for name, sql in queries:
            times = []
            for attempt in range(runs + 1):
                started = time.perf_counter()
                con = connect_readonly(settings.warehouse_db)
                try:
                    rows = con.sql(sql).pl().height
                finally:
                    con.close()
                if attempt:
                    times.append((time.perf_counter() - started) * 1000)
            samples.extend(times)
            per_query[name] = {"rows": rows, "p50_ms": round(statistics.median(times), 2),
                               "p95_ms": round(_percentile(times, 0.95), 2)}
    step.details.update({
        "queries": len(queries), "runs_each": runs, "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_percentile(samples, 0.95), 2), "max_ms": round(max(samples), 2), "per_query": per_query,
        "measures": "connect_readonly + query + fetch into polars + close, per run",
    })
    return step


def _floor(workdir: Path, env: dict[str, str], measure_dbt_cli: bool) -> tuple[Step, Step, Step, Step | None]:
    """Ingestion, dbt's compiled SQL and publishing, in this process; and dbt's own CLI on the same input, for comparison."""
    from dagster_defs.assets.publish import publish_warehouse

    floor_dir = workdir / "floor"
    _remove(floor_dir)
    settings = _settings(workdir, "floor")
    ingestion = Step("floor_ingestion")
    with _in_process(ingestion):
        ingestion.details["sources"] = _ingest_in_process(settings)
    ingestion.details["raw_read"] = _raw_read_floor(settings.raw_dir)

    # The catalog of the compiled SQL is the file's stem ("warehouse"): every copy keeps the name warehouse.duckdb.
    snapshot = floor_dir / "post_ingestion" / "warehouse.duckdb"
    snapshot.parent.mkdir(parents=True)
    shutil.copy2(settings.build_db, snapshot)

    compile_db = floor_dir / "compile" / "warehouse.duckdb"
    compile_db.parent.mkdir(parents=True)
    shutil.copy2(snapshot, compile_db)
    compile_target = floor_dir / "dbt_compile"
    compile_run = _run(*_dbt_cli(["compile"], compile_db, compile_target, env), workdir / "logs" / "floor_dbt_compile.log")
    manifest = json.loads((compile_target / "manifest.json").read_text(encoding="utf-8"))

    dbt_part = Step("floor_dbt")
    with _in_process(dbt_part):
        dbt_part.details.update(run_dbt_floor(settings.build_db, manifest))
    dbt_part.details["compile_untimed"] = {**compile_run, **dbt_invocation_summary(compile_target)}

    publish = Step("floor_publish")
    with _in_process(publish):
        publish.details["tables"] = len(publish_warehouse(settings.build_db, settings.warehouse_db))

    if not measure_dbt_cli:
        return ingestion, dbt_part, publish, None
    # The dbt CLI on its own (no Dagster): `dbt build` on a copy of the same post-ingestion file; then parse alone.
    cli_db = floor_dir / "dbt_cli" / "warehouse.duckdb"
    cli_db.parent.mkdir(parents=True)
    shutil.copy2(snapshot, cli_db)
    cli = Step("dbt_cli_build")
    cli_target = floor_dir / "dbt_cli_target"
    build_command, build_env = _dbt_cli(["build"], cli_db, cli_target, env)
    _subprocess_step(cli, [build_command], build_env, workdir / "logs" / "dbt_cli_build.log")
    cli.details["dbt"] = dbt_invocation_summary(cli_target)
    parse_target = floor_dir / "dbt_parse_target"
    full_parse = _run(*_dbt_cli(["parse", "--no-partial-parse"], cli_db, parse_target, env), workdir / "logs" / "dbt_parse.log")
    partial_parse = _run(*_dbt_cli(["parse"], cli_db, parse_target, env), workdir / "logs" / "dbt_parse.log")
    cli.details["parse_only"] = {
        "full_parse_s": full_parse["seconds"], "partial_parse_s": partial_parse["seconds"],
        "partial_parse_used": dbt_invocation_summary(parse_target).get("partial_parse"),
        "measures": "wall time of `dbt parse` (interpreter start-up included), without and then with partial parsing",
    }
    return ingestion, dbt_part, publish, cli


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
    ratio_target = BUILD_RATIO_TARGETS.get(preset)
    return {
        "full_build_vs_floor": {
            "target": f"<= {ratio_target} x floor at {preset}" if ratio_target else "2.0 x at city-year, 1.3 x at x10 (none here)",
            "value": result["full_build_vs_floor"],
            "met": result["full_build_vs_floor"] <= ratio_target if ratio_target else None,
        },
        "incremental_day_s": {"target": f"<= {INCREMENTAL_MAX_S} s", "value": result["incremental_day_s"],
                              "met": result["incremental_day_s"] <= INCREMENTAL_MAX_S},
        "incremental_share_of_full": {"target": f"<= {INCREMENTAL_MAX_SHARE_OF_FULL:.0%} of the full build",
                                      "value": result["incremental_vs_full_build"],
                                      "met": result["incremental_vs_full_build"] <= INCREMENTAL_MAX_SHARE_OF_FULL},
        "report_s": {"target": f"<= {REPORT_MAX_S} s", "value": result["report_s"], "met": result["report_s"] <= REPORT_MAX_S},
        "query_p95_ms": {"target": f"<= {QUERY_P95_MAX_MS} ms", "value": result["query_p95_ms"],
                         "met": result["query_p95_ms"] <= QUERY_P95_MAX_MS},
        "peak_rss_mb": {
            "target": f"<= {PEAK_RSS_MAX_MB:.0f} MB at city-year", "value": result["peak_rss_mb"],
            "met": result["peak_rss_mb"] <= PEAK_RSS_MAX_MB if preset == "city-year" else None,
        },
    }


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 3) if denominator > 0 else float("inf")


def run_bench(preset: str, seed: int, workdir: Path, results_dir: Path, docs_path: Path | None, *,
              query_runs: int = 10, measure_dbt_cli: bool = True) -> dict[str, Any]:
    """Run every bench step in `workdir`, write results_dir/<date>-<preset>.json and (if given) update docs_path.

    `query_runs` timed runs per staff query; `measure_dbt_cli` adds `dbt build` and `dbt parse` on their own (no Dagster)
    to tell Dagster's share from dbt's. DuckDB's memory cap is the project's own (EDUKPI_DUCKDB_MEMORY_LIMIT, ingestion/build_db.py).
    Returns the result written to the JSON file.
    """
    workdir = Path(workdir).resolve()
    data_dir = (PROJECT_ROOT / "data").resolve()
    if workdir == data_dir or data_dir in workdir.parents:
        raise ValueError(f"the bench work folder {workdir} is inside {data_dir}: the bench never touches data/; pick another")
    workdir.mkdir(parents=True, exist_ok=True)
    _remove(workdir / "logs")
    started_at = dt.datetime.now().astimezone()
    load_at_start = _load()
    settings = _settings(workdir)
    base_env = _pipeline_env(settings, workdir / "dagster_home")

    steps: dict[str, Step] = {}

    def announce(step: Step) -> Step:
        print(f"bench {preset}: {step.name} {step.seconds:.2f} s, peak {step.peak_rss_mb:.0f} MB, "
              f"load {step.load_before} -> {step.load_after}", flush=True)
        # Steps done so far, so that an interrupted long run still leaves its figures.
        done = {**{name: s.as_dict() for name, s in steps.items()}, step.name: step.as_dict()}
        (workdir / "partial-results.json").write_text(json.dumps(done, indent=2, default=str) + "\n", encoding="utf-8")
        return step

    steps["generation"] = announce(_generation(preset, seed, workdir, base_env))
    startup = _startup_costs(base_env, workdir / "logs" / "startup.log")
    steps["full_build"] = announce(_full_build(workdir, settings))
    steps["report"] = announce(_report(workdir, settings))
    steps["staff_queries"] = announce(_queries(settings, query_runs))
    for step in _floor(workdir, base_env, measure_dbt_cli):
        if step is not None:
            steps[step.name] = announce(step)
    steps["incremental_day"] = announce(_one_day(workdir, settings))

    full_build_s = steps["full_build"].seconds
    floor_dbt_s = steps["floor_dbt"].seconds
    # The floor does what the full build does (ingest, seeds + models + data tests, publish, render), minus orchestration.
    floor_s = steps["floor_ingestion"].seconds + floor_dbt_s + steps["floor_publish"].seconds + steps["report"].seconds
    result: dict[str, Any] = {
        "preset": preset,
        "seed": seed,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {**_machine(), "load_at_start": load_at_start, "load_at_end": _load()},
        "versions": _versions(),
        "generation_s": round(steps["generation"].seconds, 3),
        "generation_reused": steps["generation"].details.get("reused", False),
        "duckdb_memory_limit": memory_limit(),
        "full_build_s": round(full_build_s, 3),
        "floor_s": round(floor_s, 3),
        "full_build_vs_floor": _ratio(full_build_s, floor_s),
        "floor_dbt_s": round(floor_dbt_s, 3),
        "incremental_day_s": round(steps["incremental_day"].seconds, 3),
        "incremental_vs_full_build": _ratio(steps["incremental_day"].seconds, full_build_s),
        "report_s": round(steps["report"].seconds, 3),
        "query_p50_ms": steps["staff_queries"].details["p50_ms"],
        "query_p95_ms": steps["staff_queries"].details["p95_ms"],
        "peak_rss_mb": round(max(s.peak_rss_mb for s in steps.values() if not s.details.get("reused")), 1),
        "startup": startup,
        "steps": {name: step.as_dict() for name, step in steps.items()},
    }
    if "dbt_cli_build" in steps:
        result["dbt_cli_build_s"] = round(steps["dbt_cli_build"].seconds, 3)
        result["dbt_cli_vs_floor_dbt"] = _ratio(steps["dbt_cli_build"].seconds, floor_dbt_s)
    result["targets"] = _targets(preset, result)

    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    out = results_dir / f"{started_at:%Y-%m-%d}-{preset}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"bench {preset}: results in {out}", flush=True)
    if docs_path is not None:
        update_docs(Path(docs_path), result, out)
        print(f"bench {preset}: {docs_path} updated", flush=True)
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
                text += (f"; before dbt starts {dbt.get('dagster_before_dbt_s', 0):.1f} s, dbt parse {dbt['parse_s']:.1f} s "
                         f"({'partial' if dbt['partial_parse'] else 'full'}), dbt execution {dbt['execute_s']:.1f} s "
                         f"[{nodes}], after dbt ends {dbt.get('dagster_after_dbt_s', 0):.1f} s")
            lines.append(text)
    return lines


def render_section(result: dict[str, Any], json_path: Path) -> str:
    steps = result["steps"]
    machine = result["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in result["versions"].items())
    load = lambda s: f"{steps[s]['load_before'][0]:.2f} → {steps[s]['load_after'][0]:.2f}"  # noqa: E731
    rows = [
        ("generation", f"{result['generation_s']:.1f} s" + (" (reused, measured earlier)" if result["generation_reused"] else ""),
         f"{steps['generation']['peak_rss_mb']:.0f}", load("generation")),
        ("full build through Dagster (`edukpi materialize`)", f"{result['full_build_s']:.1f} s",
         f"{steps['full_build']['peak_rss_mb']:.0f}", load("full_build")),
        ("floor: ingestion in process", f"{steps['floor_ingestion']['seconds']:.1f} s",
         f"{steps['floor_ingestion']['peak_rss_mb']:.0f}", load("floor_ingestion")),
        ("floor: dbt's compiled SQL in one DuckDB", f"{steps['floor_dbt']['seconds']:.1f} s",
         f"{steps['floor_dbt']['peak_rss_mb']:.0f}", load("floor_dbt")),
        ("floor: publish", f"{steps['floor_publish']['seconds']:.1f} s",
         f"{steps['floor_publish']['peak_rss_mb']:.0f}", load("floor_publish")),
        ("**floor** (ingestion + dbt SQL + publish + report)", f"**{result['floor_s']:.1f} s**", "", ""),
    ]
    if "dbt_cli_build" in steps:
        rows.append(("`dbt build` CLI alone on the post-ingestion file", f"{result['dbt_cli_build_s']:.1f} s",
                     f"{steps['dbt_cli_build']['peak_rss_mb']:.0f}", load("dbt_cli_build")))
    rows += [
        (f"one-day refresh ({steps['incremental_day']['day']}: daily run + refresh job)", f"{result['incremental_day_s']:.1f} s",
         f"{steps['incremental_day']['peak_rss_mb']:.0f}", load("incremental_day")),
        (f"report rendering ({steps['report']['pages']} pages)", f"{result['report_s']:.1f} s",
         f"{steps['report']['peak_rss_mb']:.0f}", load("report")),
        (f"staff queries ({steps['staff_queries']['queries']} × {steps['staff_queries']['runs_each']} runs)",
         f"p50 {result['query_p50_ms']:.1f} ms, p95 {result['query_p95_ms']:.1f} ms",
         f"{steps['staff_queries']['peak_rss_mb']:.0f}", load("staff_queries")),
    ]
    lines = [
        f"### {result['preset']} (seed {result['seed']}), {result['started_at']}",
        "",
        f"Machine: {machine['cores']} cores, {machine['memory_gib']} GiB, {machine['cpu']}; DuckDB memory_limit "
        f"{result.get('duckdb_memory_limit', 'not set')}; load average (1/5/15 min) "
        f"{machine['load_at_start']} at the start, {machine['load_at_end']} at the end. Versions: {versions}. "
        f"Raw JSON: `{json_path.relative_to(PROJECT_ROOT) if PROJECT_ROOT in json_path.parents else json_path.name}`.",
        "",
        "| step | time | peak RSS MB | load (1 min) before → after |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
        f"Ratios: full build / floor **{result['full_build_vs_floor']:.2f}×**"
        + (f"; `dbt build` CLI / dbt floor {result['dbt_cli_vs_floor_dbt']:.2f}×" if "dbt_cli_vs_floor_dbt" in result else "")
        + f"; one-day refresh / full build {result['incremental_vs_full_build']:.1%}. Peak RSS over all steps "
        f"{result['peak_rss_mb']:.0f} MB.",
        "",
        "| target | value | |",
        "|---|---|---|",
        *[f"| {t['target']} ({name}) | {t['value']} | {_met(t['met'])} |" for name, t in result["targets"].items()],
        "",
        f"Start-up: `python -c 'import dagster'` {result['startup']['python_import_dagster_s']:.1f} s, loading "
        f"`dagster_defs.definitions` {result['startup']['python_load_definitions_s']:.1f} s, `dagster asset list` "
        f"{result['startup']['dagster_cli_list_s']:.1f} s (each a fresh process).",
        "",
        "Where the full build's time went:",
        f"- outside the runs' events (edukpi and Dagster CLI start-up, definitions load, exit): "
        f"{steps['full_build']['cli_outside_runs_s']:.1f} s",
        *_dagster_breakdown(steps["full_build"]["dagster_runs"]),
        "",
        "Where the one-day refresh's time went:",
        *[f"- `{inv['command'][:90]}`: {inv['seconds']:.1f} s, of which {inv.get('outside_run_events_s', 0):.1f} s outside the run's events"
          for inv in steps["incremental_day"]["invocations"]],
        *_dagster_breakdown(steps["incremental_day"]["dagster_runs"]),
    ]
    floor_dbt = steps["floor_dbt"]
    lines += [
        "",
        f"Floor detail: ingestion per source "
        + ", ".join(f"{k} {v['seconds']:.1f} s" for k, v in steps["floor_ingestion"]["sources"].items())
        + f" (plain DuckDB row count of the raw analytics files alone: GA4 {steps['floor_ingestion']['raw_read']['ga4_s']:.1f} s, "
        f"access logs {steps['floor_ingestion']['raw_read']['access_logs_s']:.1f} s); dbt SQL: seeds {floor_dbt.get('seeds_s', 0):.2f} s, "
        f"Python calendar model {floor_dbt.get('python_models_s', 0):.2f} s, {floor_dbt['models']} models "
        f"{floor_dbt.get('models_s', 0):.1f} s, {floor_dbt['data_tests']} data tests {floor_dbt.get('data_tests_s', 0):.1f} s "
        f"({len(floor_dbt['data_tests_failing'])} failing).",
    ]
    if "dbt_cli_build" in steps:
        cli = steps["dbt_cli_build"]
        dbt = cli["dbt"]
        lines.append(
            f"`dbt build` alone: parse {dbt.get('parse_s') or 0:.1f} s ({'partial' if dbt.get('partial_parse') else 'full'}), "
            f"execution {dbt.get('execute_s') or 0:.1f} s ["
            + ", ".join(f"{kind} {v['count']}× {v['seconds']:.1f} s" for kind, v in dbt.get("nodes", {}).items())
            + f"]; `dbt parse` alone {cli['parse_only']['full_parse_s']:.1f} s full, "
            f"{cli['parse_only']['partial_parse_s']:.1f} s partial."
        )
    return "\n".join(lines) + "\n"


def update_docs(docs_path: Path, result: dict[str, Any], json_path: Path) -> None:
    """Replace (or add) the generated section of this preset in docs/benchmarks.md; everything else is left as it is."""
    begin, end = f"<!-- bench:{result['preset']}:begin -->", f"<!-- bench:{result['preset']}:end -->"
    section = f"{begin}\n{render_section(result, json_path)}{end}"
    text = docs_path.read_text(encoding="utf-8") if docs_path.exists() else "# Benchmarks\n\n## Results\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
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
    args = parser.parse_args(argv)
    workdir = Path(args.workdir) if args.workdir else PROJECT_ROOT / "bench" / "work" / args.preset
    run_bench(args.preset, args.seed, workdir, PROJECT_ROOT / "bench" / "results", PROJECT_ROOT / "docs" / "benchmarks.md",
              query_runs=args.query_runs)


if __name__ == "__main__":
    main()
