"""Staff keep querying the published warehouse while a build runs and publishes: never an error, never blocked, and the
answers switch from the old warehouse to the new one at once; a connection opened before keeps its snapshot."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from edukpi.settings import PROJECT_ROOT, Settings
from edukpi.sql import connect_readonly

from tests.conftest import TEST_OUTPUT, BuiltPipeline
from tests.e2e.test_reliability import add_late_page_views

# Two tables read in one query: a warehouse swapped table by table would show up as a pair from two builds.
PROBE = (
    "select (select sum(pageviews) from marts.fct_portal_daily)::bigint as daily_pageviews, "
    "(select sum(pageviews) from marts.kpi_portal_monthly)::bigint as monthly_pageviews"
)
# Generous: a probe takes milliseconds; this only tells "answered" from "stuck behind the build".
BLOCKED_AFTER_S = 5.0

# A staff member's `edukpi sql "…"`: a new process-level connection per query. It runs in its own process because DuckDB
# hands a process that still holds a connection to the file its cached (old) database (see edukpi.sql.connect_readonly).
READER = """
import json, sys, time
from pathlib import Path
from edukpi.sql import connect_readonly

warehouse, stop, probe = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
while not stop.exists():
    wall, started = time.time(), time.perf_counter()
    try:
        con = connect_readonly(warehouse)
        try:
            record = {"value": list(con.execute(probe).fetchone())}
        finally:
            con.close()
    except (Exception, SystemExit) as error:
        record = {"error": repr(error)}
    record.update(t=wall, latency_s=time.perf_counter() - started)
    print(json.dumps(record), flush=True)
    time.sleep(0.05)
"""


def copy_pipeline(built: BuiltPipeline, root: Path) -> tuple[Settings, dict[str, str]]:
    """The built pipeline's raw files, build file and published warehouse, copied under `root`, and the env using them."""
    settings = Settings(
        raw_dir=root / "raw",
        build_db=root / "build" / "warehouse.duckdb",
        warehouse_db=root / "warehouse.duckdb",
        reports_dir=root / "reports",
        hmac_key=None,
    )
    shutil.copytree(built.settings.raw_dir, settings.raw_dir)
    settings.build_db.parent.mkdir(parents=True)
    shutil.copy2(built.settings.build_db, settings.build_db)
    shutil.copy2(built.settings.warehouse_db, settings.warehouse_db)
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {
        **built.env,
        **settings.as_env(),
        "DAGSTER_HOME": str(dagster_home),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project"),
        "DO_NOT_TRACK": "1",
    }
    return settings, env


def read_records(path: Path) -> list[dict]:
    """The reader's JSON lines; anything else it printed (a traceback) counts as an error."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                records.append({"error": line, "latency_s": 0.0})
    return records


def test_readers_are_never_blocked_and_switch_atomically(built_pipeline: BuiltPipeline, tmp_path: Path) -> None:
    settings, env = copy_pipeline(built_pipeline, tmp_path)
    # One changed input: GA4 re-delivers its last day with late page views (the day's rows are replaced, the totals grow).
    redelivered = sorted((settings.raw_dir / "analytics" / "ga4").glob("events_*.parquet"))[-1]
    _, day = add_late_page_views(redelivered, 40)

    long_lived = connect_readonly(settings.warehouse_db)
    old_value = list(long_lived.execute(PROBE).fetchone())
    published_inode = settings.warehouse_db.stat().st_ino

    reader_log, stop_file, build_log = tmp_path / "reader.jsonl", tmp_path / "stop-reader", tmp_path / "build.log"
    with reader_log.open("w", encoding="utf-8") as reader_out, build_log.open("w", encoding="utf-8") as build_out:
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(settings.warehouse_db), str(stop_file), PROBE],
            stdout=reader_out,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
        try:
            deadline = time.monotonic() + 30
            while not read_records(reader_log) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert read_records(reader_log), "the reader process did not start querying"

            # The day's refresh as analysts run it (load the day, dbt build of what reads the analytics with its tests,
            # publish, reports): the readers see the warehouse replaced while they query it.
            build_started = time.perf_counter()
            edukpi = str(Path(sys.executable).with_name("edukpi"))
            build = subprocess.Popen(
                [edukpi, "materialize", "--days", day],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=build_out,
                stderr=subprocess.STDOUT,
            )
            long_lived_values, long_lived_latencies = [], []
            give_up = time.monotonic() + 600
            while build.poll() is None:
                if time.monotonic() > give_up:
                    build.kill()
                    raise AssertionError(f"the build did not finish in 10 minutes; log: {build_log}")
                started = time.perf_counter()
                long_lived_values.append(list(long_lived.execute(PROBE).fetchone()))
                long_lived_latencies.append(time.perf_counter() - started)
                time.sleep(0.25)
            build_s = time.perf_counter() - build_started
            assert build.returncode == 0, build_log.read_text(encoding="utf-8")[-8000:]
            assert settings.warehouse_db.stat().st_ino != published_inode, "the build did not publish a new warehouse"

            # Let the reader see the new warehouse a few times before stopping it.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                values = [r.get("value") for r in read_records(reader_log)]
                if sum(1 for v in values if v not in (None, old_value)) >= 5:
                    break
                time.sleep(0.1)
        finally:
            stop_file.touch()
            try:
                reader.wait(timeout=30)
            except subprocess.TimeoutExpired:
                reader.kill()

    records = read_records(reader_log)
    errors = [r for r in records if "error" in r]
    assert not errors, errors[:5]

    values = [r["value"] for r in records]
    new_value = next((v for v in values if v != old_value), None)
    assert new_value is not None, f"the reader never saw the new warehouse ({len(values)} queries, all {old_value})"
    assert new_value[0] > old_value[0], (old_value, new_value)
    # Never a mix of two builds, never back: old ... old, new ... new.
    assert set(map(tuple, values)) == {tuple(old_value), tuple(new_value)}, set(map(tuple, values))
    switch = values.index(new_value)
    assert switch > 0 and all(v == old_value for v in values[:switch]) and all(v == new_value for v in values[switch:])

    # Connections opened before the publication keep reading the snapshot they opened.
    assert long_lived_values and all(v == old_value for v in long_lived_values)
    assert list(long_lived.execute(PROBE).fetchone()) == old_value
    long_lived.close()
    fresh = connect_readonly(settings.warehouse_db)
    assert list(fresh.execute(PROBE).fetchone()) == new_value
    fresh.close()

    latencies = [r["latency_s"] for r in records]
    summary = {
        "reader_queries": len(records),
        "reader_queries_before_switch": switch,
        "reader_max_latency_s": round(max(latencies), 4),
        "long_lived_queries": len(long_lived_values),
        "long_lived_max_latency_s": round(max(long_lived_latencies), 4),
        "build_and_publish_s": round(build_s, 1),
        "old_value": old_value,
        "new_value": new_value,
        "redelivered_input": redelivered.name,
    }
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    (TEST_OUTPUT / "sql_concurrency.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(f"staff readers during a build: {summary}")
    # "Never blocked": every query answered (no error above), none waited on the build.
    assert max(latencies) < BLOCKED_AFTER_S and max(long_lived_latencies) < BLOCKED_AFTER_S, summary
