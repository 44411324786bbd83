"""Reliability on the real stack, from a copy of the built_pipeline fixture (tiny preset): builds killed with SIGKILL at
several points leave the published warehouse as it was and the next build succeeds with the same marts as the first
build; late and corrected deliveries reach the marts; quarantine history is kept; no personal data reaches any warehouse
table or report."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingestion.loading import accounting_problems, load_tabular
from ingestion.pseudonymise import normalise_phone_py
from edukpi.runtime import dbt_log_results
from edukpi.settings import PROJECT_ROOT, SAMPLE_MARKER, Settings
from ingestion.sources import SOURCES

from tests.conftest import BuiltPipeline, pipeline_env

EDUKPI = Path(sys.executable).with_name("edukpi")
DAGSTER = Path(sys.executable).with_name("dagster")
BUILD_TIMEOUT_S = 900
# The killed builds see only the last days of analytics (see crash_scenario); the day re-delivered during them, and the
# day re-delivered late afterwards.
KILLED_BUILD_DAYS = 14
CRASH_DAY = "20250627"
LATE_DAY = "20240312"
LATE_EVENTS = 5
DAY_FILE = re.compile(r"(?:events_|access-)(\d{8})\.")


# --- helpers -----------------------------------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def table_checksums(db: Path, schemas: tuple[str, ...] = ("marts", "reference")) -> dict[str, tuple[int, str]]:
    """(rows, md5 of the table's rows as text, sorted) for every table of the schemas: equal checksums, equal tables."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ? and table_type = 'BASE TABLE' order by 1",
            [list(schemas)],
        ).fetchall()
        return {
            table: con.execute(
                f"select count(*), md5(coalesce(string_agg(row_text, chr(10) order by row_text), '')) "
                f"from (select t::varchar as row_text from {table} t)"
            ).fetchone()
            for (table,) in tables
        }


def readable_marts(db: Path) -> int:
    """Open the published warehouse as staff do (read-only) and read every mart table to its end; the number of tables."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        for table in tables:
            con.execute(f"select * from marts.{table}").fetchall()
    return len(tables)


def live_processes_in_group(group: int) -> list[str]:
    """Processes (not zombies) still in a process group: a survivor (say, dbt) would keep the build file locked."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(stat.parent.name)
    return alive


class Build:
    """A process started in its own process group, its output read as it comes (markers say where it is)."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self.marker: re.Pattern | None = None
        self.marker_seen = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            if self.marker is not None and self.marker.search(line):
                self.marker_seen.set()
        self.marker_seen.set()  # the output ended: nobody waits for a marker that will not come

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def kill_at(self, marker: str, delay_s: float) -> tuple[str, float]:
        """SIGKILL the whole process group `delay_s` after the first output line matching `marker`; (that line, seconds in)."""
        self.marker = re.compile(marker)
        try:
            if any(self.marker.search(line) for line in list(self.lines)):
                self.marker_seen.set()
            assert self.marker_seen.wait(BUILD_TIMEOUT_S), f"no output matching {marker!r}"
            seen = next((line for line in list(self.lines) if self.marker.search(line)), None)
            assert seen is not None, f"the build ended before {marker!r}:\n{self.log[-4000:]}"
            time.sleep(delay_s)
            assert self.process.poll() is None, f"the build ended before it could be killed:\n{self.log[-4000:]}"
        finally:
            self.kill()
        return seen.strip(), time.monotonic() - self.started

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(60)
        self.reader.join(60)

    def wait(self) -> int:
        try:
            code = self.process.wait(BUILD_TIMEOUT_S)
        finally:
            self.kill()  # a build past its time limit is stopped, with everything it started
        return code


@dataclass
class Kill:
    point: str
    marker_line: str
    at_s: float
    published_sha_before: str
    published_sha_after: str
    mart_tables_readable: int
    survivors: list[str]
    staging_files: list[str]


@dataclass
class CrashScenario:
    root: Path
    settings: Settings
    env: dict[str, str]
    first_build_marts: dict
    kills: list[Kill] = field(default_factory=list)
    final_code: int | None = None
    final_log: str = ""
    final_seconds: float = 0.0


def copy_of_built_pipeline(built: BuiltPipeline, root: Path, dagster_home: Path) -> tuple[Settings, dict[str, str]]:
    """The built pipeline's raw files, build and published warehouses in `root` (its reports are rebuilt, not copied)."""
    source = built.settings
    shutil.copytree(source.raw_dir, root / "raw")
    shutil.copytree(source.build_db.parent, root / "build")
    shutil.copy2(source.warehouse_db, root / "warehouse.duckdb")
    settings, env = pipeline_env(root)
    # Dagster writes one SQLite event per partition of the two raw analytics assets (~1,100 for the tiny preset's 547 days): on tmpfs a build
    # takes about half the time. Nothing under test lives there.
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {**env, "DAGSTER_HOME": str(dagster_home), "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project"), "DO_NOT_TRACK": "1"}
    return settings, env


@pytest.fixture(scope="module")
def scratch_home():
    """A Dagster home on tmpfs when there is one (see copy_of_built_pipeline), removed afterwards."""
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    home = Path(tempfile.mkdtemp(prefix="edukpi-reliability-", dir=base))
    yield home
    shutil.rmtree(home, ignore_errors=True)


def staging_files(warehouse: Path) -> list[str]:
    return sorted(p.name for p in warehouse.parent.glob(f".{warehouse.name}.*.tmp"))


def add_late_page_views(parquet: Path, count: int) -> tuple[str, str]:
    """Append `count` copies of the day's first page_view (a second later each): GA4 restating a day with late events.
    Returns the page's host and the day (yyyy-mm-dd)."""
    table = pq.read_table(parquet)
    events = table.to_pylist()
    model = next(e for e in events if e["event_name"] == "page_view")
    late = [{**model, "event_timestamp": model["event_timestamp"] + (i + 1) * 1_000_000} for i in range(count)]
    pq.write_table(pa.concat_tables([table, pa.Table.from_pylist(late, schema=table.schema)]), parquet)
    location = next(p["value"]["string_value"] for p in model["event_params"] if p["key"] == "page_location")
    host = re.match(r"^https?://([^/:]+)", location).group(1).lower()
    day = model["event_date"]
    return host, f"{day[:4]}-{day[4:6]}-{day[6:]}"


# --- the crash scenario ------------------------------------------------------------------------------------------------

def hold_back_analytics_before(raw_dir: Path, first_day: str, held: Path) -> list[Path]:
    """Move the analytics files of days before `first_day` out of data/raw (to `held`); the moved files' relative paths."""
    moved = []
    for path in sorted((raw_dir / "analytics").rglob("*")):
        match = DAY_FILE.search(path.name)
        if path.is_file() and match and match.group(1) < first_day:
            relative = path.relative_to(raw_dir)
            (held / relative).parent.mkdir(parents=True, exist_ok=True)
            path.rename(held / relative)
            moved.append(relative)
    return moved


@pytest.fixture(scope="module")
def crash_scenario(built_pipeline: BuiltPipeline, tmp_path_factory: pytest.TempPathFactory, scratch_home: Path) -> CrashScenario:
    """A re-delivered GA4 day gives the build work; `edukpi materialize` is killed during ingestion and during dbt, the
    publishing step is killed while it copies; then every file is as in the first build and one full build runs.

    The killed builds see only the last KILLED_BUILD_DAYS days of analytics files (the older days' files are held back;
    their rows stay loaded, as after any earlier build, and `edukpi materialize` only loads the days it finds): Dagster
    writes events per day and asset, so a build over the whole 547 days takes ~1 minute just to reach the first step.
    """
    root = tmp_path_factory.mktemp("crash")
    settings, env = copy_of_built_pipeline(built_pipeline, root, scratch_home)
    scenario = CrashScenario(root, settings, env, table_checksums(built_pipeline.settings.warehouse_db))
    published = settings.warehouse_db
    days = sorted(m.group(1) for p in (settings.raw_dir / "analytics").rglob("*") if (m := DAY_FILE.search(p.name)))
    first_kept = (dt.datetime.strptime(days[-1], "%Y%m%d") - dt.timedelta(days=KILLED_BUILD_DAYS - 1)).strftime("%Y%m%d")
    assert first_kept <= CRASH_DAY <= days[-1]
    held = root / "held_back"
    moved = hold_back_analytics_before(settings.raw_dir, first_kept, held)
    assert moved
    day_file = settings.raw_dir / "analytics" / "ga4" / f"events_{CRASH_DAY}.parquet"
    original = day_file.read_bytes()
    add_late_page_views(day_file, 3)

    def record(point: str, marker_line: str, at_s: float, before: str, group: int) -> None:
        scenario.kills.append(Kill(point, marker_line, at_s, before, sha256(published), readable_marts(published),
                                   live_processes_in_group(group), staging_files(published)))

    # 1. during ingestion: the GA4 load of the re-delivered day (one DuckDB transaction)
    before = sha256(published)
    build = Build([str(EDUKPI), "materialize", "--verbose"], env)
    line, at_s = build.kill_at(r"raw__ga4_events - STEP_START", 0.5)
    record("ingestion (GA4 load)", line, at_s, before, build.process.pid)
    # 2. during dbt: the first model dbt starts to write into the build file
    before = sha256(published)
    build = Build([str(EDUKPI), "materialize", "--verbose"], env)
    line, at_s = build.kill_at(r"\d+ of \d+ START sql ", 0.3)
    record("dbt (model being written)", line, at_s, before, build.process.pid)
    # 3. during publishing: the same function the published_warehouse asset calls, killed once its copy file exists
    before = sha256(published)
    publish = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from dagster_defs.assets.publish import publish_warehouse; "
                               "publish_warehouse(Path(sys.argv[1]), Path(sys.argv[2]))",
         str(settings.build_db), str(published)],
        env=env, cwd=PROJECT_ROOT, start_new_session=True,
    )
    started = time.monotonic()
    while not staging_files(published) and publish.poll() is None and time.monotonic() - started < 120:
        time.sleep(0.002)
    os.killpg(publish.pid, signal.SIGKILL)
    publish.wait(60)
    record("publish (copy being written)", "staging copy file appeared", time.monotonic() - started, before, publish.pid)
    # 4. every file as in the first build: the next build over the days the killed builds touched (what an analyst re-runs;
    # the older days were never touched, and re-running all 547 only adds Dagster's per-day events) must succeed and give
    # the first build's marts again
    day_file.write_bytes(original)
    for relative in moved:
        (held / relative).rename(settings.raw_dir / relative)
    started = time.monotonic()
    touched = f"{first_kept[:4]}-{first_kept[4:6]}-{first_kept[6:]}...{days[-1][:4]}-{days[-1][4:6]}-{days[-1][6:]}"
    build = Build([str(EDUKPI), "materialize", "--days", touched], env)
    scenario.final_code = build.wait()
    scenario.final_seconds = time.monotonic() - started
    scenario.final_log = build.log
    print("\n".join(f"killed at {k.point}: {k.at_s:.1f} s after start ({k.marker_line[:100]})" for k in scenario.kills)
          + f"\nfinal build: {scenario.final_seconds:.0f} s, exit code {scenario.final_code}")
    return scenario


def test_killed_builds_leave_the_published_warehouse_as_it_was(crash_scenario: CrashScenario) -> None:
    assert [k.point.split()[0] for k in crash_scenario.kills] == ["ingestion", "dbt", "publish"]
    for kill in crash_scenario.kills:
        assert kill.published_sha_after == kill.published_sha_before, kill
        assert kill.mart_tables_readable >= 10, kill
        assert not kill.survivors, f"processes survived the kill at {kill.point}: {kill.survivors}"


def test_next_build_after_the_kills_succeeds(crash_scenario: CrashScenario) -> None:
    assert crash_scenario.final_code == 0, crash_scenario.final_log[-8000:]
    published = crash_scenario.settings.warehouse_db
    assert sha256(published) != crash_scenario.kills[-1].published_sha_after  # a new warehouse was published ...
    assert readable_marts(published) >= 10  # ... and it is whole
    assert (crash_scenario.settings.reports_dir / "index.html").is_file()
    assert "RUN_FAILURE" not in crash_scenario.final_log and "STEP_FAILURE" not in crash_scenario.final_log


def test_rerun_on_unchanged_input_gives_identical_marts(crash_scenario: CrashScenario) -> None:
    """The final build read the same files as the first build (the changed day was restored): every mart and reference
    table has the same rows, whatever the killed builds had left in the build file. (No mart carries wall-clock time:
    as_of_date is the latest date in the data.)"""
    assert crash_scenario.final_code == 0, crash_scenario.final_log[-8000:]
    rebuilt = table_checksums(crash_scenario.settings.warehouse_db)
    assert set(rebuilt) == set(crash_scenario.first_build_marts)
    different = {t: (crash_scenario.first_build_marts[t], rebuilt[t]) for t in rebuilt
                 if rebuilt[t] != crash_scenario.first_build_marts[t]}
    assert not different, different


def test_killed_publish_leaves_no_staging_file(crash_scenario: CrashScenario) -> None:
    """The killed publish left its copy file; the next build's publish removed it."""
    killed_publish = [k for k in crash_scenario.kills if k.point.startswith("publish")]
    assert killed_publish and killed_publish[0].staging_files, "the publish was not killed while its copy existed"
    assert not staging_files(crash_scenario.settings.warehouse_db)


# --- late and corrected deliveries: one day through its daily partition, then the marts ---------------------------

@dataclass
class DaysRefresh:
    """`edukpi materialize --days <the re-delivered day>`, run while the corrected submissions file already lies in raw/."""
    output: str
    run_ids: list[str]
    dbt_invocations: list[Path]  # target folders of the run's dbt invocations (dagster-dbt: <op>-<run id[:7]>-<uuid>)
    quota_published: pl.DataFrame
    ledger: list[tuple]


@dataclass
class LateDelivery:
    settings: Settings
    site: str
    day: dt.date
    new_unit: str
    withdrawn_unit: str
    portal_before: pl.DataFrame
    portal_after: pl.DataFrame
    quota_before: pl.DataFrame
    quota_after: pl.DataFrame
    ledger_before: list[tuple]
    ledger_after: list[tuple]
    days_refresh: DaysRefresh


def dagster(args: list[str], env: dict[str, str]) -> None:
    build = Build([str(DAGSTER), *args, "-m", "dagster_defs.definitions"], env)
    assert build.wait() == 0, build.log[-8000:]


def marts(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).pl()


@pytest.fixture(scope="module")
def late_delivery(crash_scenario: CrashScenario) -> LateDelivery:
    """After the crash scenario: GA4 re-delivers a day with late events (loaded through the daily partition of that day),
    and the department office corrects its Q3 2024 list (one article added, one withdrawn); then the marts are rebuilt
    and published."""
    assert crash_scenario.final_code == 0, "the crash scenario's last build failed"
    settings, env = crash_scenario.settings, crash_scenario.env
    published = settings.warehouse_db
    portal_query = "select * from marts.fct_portal_daily order by all"
    quota_query = "select unit_code, quarter, articles_submitted from marts.kpi_quota_fulfilment order by all"
    ledger_query = "select source_file, file_fingerprint from raw.ingested_files where source = 'submissions' order by 1"
    portal_before, quota_before = marts(published, portal_query), marts(published, quota_query)
    ledger_before = query(settings.build_db, ledger_query)

    site, day = add_late_page_views(settings.raw_dir / "analytics" / "ga4" / f"events_{LATE_DAY}.parquet", LATE_EVENTS)
    # The corrected list: a new article of PGD_Q1, and an article (listed in no other file) now withdrawn.
    q3 = settings.raw_dir / "submissions" / "2024Q3.csv"
    listed = pl.concat([pl.read_csv(p, infer_schema=False).select("Mã bài")
                        for p in sorted((settings.raw_dir / "submissions").glob("*.csv"))])["Mã bài"].value_counts()
    once = set(listed.filter(pl.col("count") == 1)["Mã bài"])
    rows = pl.read_csv(q3, infer_schema=False)
    candidates = rows.filter(
        pl.col("Mã bài").is_in(list(once)) & pl.col("Ngày gửi").str.contains(r"^\d\d/0[789]/2024")
        & (pl.col("Trạng thái") != "Rút lại")
    )["Mã bài"].to_list()
    withdrawn_units = dict(query(settings.build_db, "select submission_id, unit_code from raw.article_submissions "
                                                    "where source_file = 'submissions/2024Q3.csv'"))
    withdrawn_id = next(i for i in candidates if withdrawn_units.get(i) not in (None, "PGD_Q1"))
    records = list(csv.reader(io.StringIO(q3.read_text(encoding="utf-8-sig"))))
    header = records[0]
    for record in records[1:]:
        if record[header.index("Mã bài")] == withdrawn_id:
            for column, value in (("Trạng thái", "Rút lại"), ("Ngày đăng", ""), ("Kênh đăng", ""), ("Đường dẫn", "")):
                record[header.index(column)] = value
    records.append(["BV-2024-BOSUNG-01", "PGD_Q1", "15/08/2024 09:00", "Bài gửi bổ sung sau khi chốt danh sách", "II.1", "",
                    "Đã tiếp nhận", "", "", ""])
    corrected = io.StringIO()
    csv.writer(corrected, lineterminator="\n").writerows(records)
    q3.write_text("\ufeff" + corrected.getvalue(), encoding="utf-8")

    # The day as an analyst refreshes one day: its partition and what the analytics reach (portal models and marts,
    # publish, reports), nothing else, although the corrected submissions file is already there. Then the submissions
    # and their mart (the refresh job would also rebuild every other model and the reports: a minute more, nothing more
    # under test). The staging and intermediate views are selected too: without them Dagster sees no path from
    # raw/article_submissions to the mart and may run dbt first, building the mart from the old rows.
    refreshed = Build([str(EDUKPI), "materialize", "--days", day], env)
    assert refreshed.wait() == 0, refreshed.log[-8000:]
    run_ids = re.findall(r"^edukpi materialize: run .* finished \(run id ([0-9a-f-]+)\)$", refreshed.log, re.M)
    days_refresh = DaysRefresh(
        refreshed.log, run_ids,
        sorted(p for run_id in run_ids for p in (PROJECT_ROOT / "dbt_project" / "target").glob(f"*-{run_id[:7]}-*")),
        marts(published, quota_query), query(settings.build_db, ledger_query),
    )
    portal_after = marts(published, portal_query)
    dagster(["asset", "materialize", "--select", ",".join([
        "raw/article_submissions", "staging/stg_submissions__articles", "intermediate/int_article_submissions_deduplicated",
        "marts/kpi_quota_fulfilment", "published/warehouse",
    ])], env)
    return LateDelivery(
        settings, site, dt.date.fromisoformat(day), "PGD_Q1", withdrawn_units[withdrawn_id],
        portal_before, portal_after, quota_before, marts(published, quota_query),
        ledger_before, query(settings.build_db, ledger_query), days_refresh,
    )


def test_redelivered_analytics_day_replaces_the_old_one_in_the_marts(late_delivery: LateDelivery) -> None:
    key = (pl.col("site") == late_delivery.site) & (pl.col("date") == late_delivery.day) & (pl.col("source_form") == "ga4")
    before = late_delivery.portal_before.filter(key)
    after = late_delivery.portal_after.filter(key)
    assert before.height == after.height == 1
    assert after["pageviews"][0] == before["pageviews"][0] + LATE_EVENTS  # replaced, not added a second time
    # Every other site and day is exactly as it was.
    assert late_delivery.portal_after.filter(~key).equals(late_delivery.portal_before.filter(~key))


def test_days_refresh_rebuilds_what_reads_the_analytics_in_one_run_and_one_dbt_invocation(late_delivery: LateDelivery) -> None:
    """`edukpi materialize --days` (test_redelivered_analytics_day… shows the day reached the published fct_portal_daily):
    one Dagster run, one dbt invocation, which built the portal marts and not the others; the corrected submissions file
    lying in raw/ was not loaded, so the quota mart kept its rows, in the build file and in the published warehouse."""
    refresh = late_delivery.days_refresh
    assert len(refresh.run_ids) == 1, refresh.output[-4000:]
    assert len(refresh.dbt_invocations) == 1, refresh.dbt_invocations
    (invocation,) = refresh.dbt_invocations
    results = dbt_log_results(invocation / "dbt.log")
    models = {unique_id.split(".")[-1] for unique_id in results if unique_id.startswith("model.")}
    assert {"int_portal_ga4_daily", "fct_portal_daily", "kpi_portal_monthly"} <= models, sorted(models)
    assert not models & {"kpi_quota_fulfilment", "fct_article_submissions", "fct_feedback_tickets", "dim_date"}, sorted(models)
    assert all(r["status"] in ("success", "pass") for r in results.values()), [(u, r["status"]) for u, r in results.items()]
    assert not (invocation / "manifest.json").exists()  # --no-write-json
    # The invocation did not parse: it ran on the manifest the dbt process started ahead parsed while the day loaded
    # (dagster_defs/dbt_warm.py; dbt logs how it parses only when it parses), and its parse state was kept for the build.
    dbt_log = (invocation / "dbt.log").read_text(encoding="utf-8").lower()
    assert "partial pars" not in dbt_log and "full parse" not in dbt_log, dbt_log[:3000]
    assert (invocation / "partial_parse.msgpack").exists()
    assert refresh.quota_published.equals(late_delivery.quota_before)
    assert refresh.ledger == late_delivery.ledger_before
    # The final run rebuilt it: so it was not rebuilt by --days, or the counts would be the corrected ones already.
    assert not late_delivery.quota_after.equals(refresh.quota_published)


def test_corrected_submissions_file_updates_the_quota_counts(late_delivery: LateDelivery) -> None:
    def counts(frame: pl.DataFrame) -> dict[tuple[str, str], int]:
        return {(u, q): n for u, q, n in frame.iter_rows()}

    before, after = counts(late_delivery.quota_before), counts(late_delivery.quota_after)
    expected = dict(before)
    expected[(late_delivery.new_unit, "2024Q3")] += 1
    expected[(late_delivery.withdrawn_unit, "2024Q3")] -= 1
    assert after == expected
    # Only the corrected file was read again: its ledger row has the new fingerprint, the other files' rows are unchanged.
    changed = set(late_delivery.ledger_after) ^ set(late_delivery.ledger_before)
    assert {source_file for source_file, _ in changed} == {"submissions/2024Q3.csv"} and len(changed) == 2


# --- quarantine history (raw level, in the build warehouse) ----------------------------------------------------------

def test_quarantine_history_is_kept_when_a_corrected_file_is_loaded(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "submissions").mkdir(parents=True)
    (raw / SAMPLE_MARKER).write_text("{}", encoding="utf-8")
    settings = Settings(raw_dir=raw, build_db=tmp_path / "build.duckdb", warehouse_db=tmp_path / "w.duckdb",
                        reports_dir=tmp_path, hmac_key=None)
    source = SOURCES["submissions"]
    header = "Mã bài,Đơn vị,Ngày gửi,Tiêu đề,Mục kế hoạch,Tác giả,Trạng thái,Ngày đăng,Kênh đăng,Đường dẫn\n"
    delivered = raw / "submissions" / "2024Q3.csv"
    delivered.write_text(header + "BV-H-1,PGD_Q1,01/07/2024 08:00,A,II.1,,Đã tiếp nhận,,,\n"
                            "BV-H-2,Phòng GD Quận 99,02/07/2024 08:00,B,II.1,,Đã tiếp nhận,,,\n"
                            "BV-H-3,PGD_Q3,31/06/2024 08:00,C,II.1,,Đã tiếp nhận,,,\n", encoding="utf-8")
    first = load_tabular(settings, source, loaded_at=dt.datetime(2024, 7, 10, 8, 0))
    delivered.write_text(header + "BV-H-1,PGD_Q1,01/07/2024 08:00,A,II.1,,Đã tiếp nhận,,,\n"
                            "BV-H-2,PGD_Q5,02/07/2024 08:00,B,II.1,,Đã tiếp nhận,,,\n"
                            "BV-H-3,PGD_Q3,30/06/2024 08:00,C,II.1,,Đã tiếp nhận,Ngày 1/7,,\n", encoding="utf-8")
    second = load_tabular(settings, source, loaded_at=dt.datetime(2024, 7, 11, 8, 0))
    assert (first.rows_loaded, first.rows_quarantined, second.rows_loaded, second.rows_quarantined) == (1, 2, 2, 1)
    history = query(settings.build_db, "select source_line, column_name, loaded_at, superseded_at from raw.quarantine "
                                       "order by loaded_at, source_line")
    assert history == [
        (3, "unit_as_sent", dt.datetime(2024, 7, 10, 8, 0), dt.datetime(2024, 7, 11, 8, 0)),  # kept, marked superseded
        (4, "submitted_at", dt.datetime(2024, 7, 10, 8, 0), dt.datetime(2024, 7, 11, 8, 0)),
        (4, "published_at", dt.datetime(2024, 7, 11, 8, 0), None),  # the corrected file's own finding
    ]
    assert accounting_problems(settings, source) == []  # the ledger adds up against the current rows only
    delivered.unlink()  # a removed file's findings are history too
    load_tabular(settings, source, loaded_at=dt.datetime(2024, 7, 12, 8, 0))
    assert query(settings.build_db, "select count(*), count(superseded_at) from raw.quarantine") == [(3, 3)]


# --- personal data -----------------------------------------------------------------------------------------------------

PHONE_LIKE = re.compile(r"(?<![\w.])(?:\+84|84|0)(?:[ .\-()]{0,2}\d){8,10}(?![\w]|\.\d)")
EMAIL_LIKE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}")
DIGIT_RUN = re.compile(r"\+?\d[\d .\-()]{6,}\d")
PLOTLY_LIBRARY = re.compile(r"<script[^>]*>\s*/\*\*\s*\* plotly\.js .*?</script>", re.S)


@dataclass
class Citizens:
    names: set[str]
    phones: set[str]
    emails: set[str]


def citizens_of(raw_dir: Path) -> Citizens:
    frames = [pl.read_csv(p, infer_schema=False, encoding="utf8-lossy") for p in sorted((raw_dir / "feedback").glob("*.csv"))]
    frames += [pl.read_excel(p, infer_schema_length=0) for p in sorted((raw_dir / "feedback").glob("*.xlsx"))]
    feedback = pl.concat([f.select("Họ tên người phản ánh", "Số điện thoại", "Email") for f in frames], how="vertical_relaxed")
    return Citizens(
        names={unicodedata.normalize("NFC", n).strip() for n in feedback["Họ tên người phản ánh"].drop_nulls() if n.strip()},
        phones={normalise_phone_py(p) for p in feedback["Số điện thoại"].drop_nulls() if p.strip()},
        emails={e.strip().lower() for e in feedback["Email"].drop_nulls() if e.strip()},
    )


URL_PATH = re.compile(r"""(?:https?://[^\s"'<>/]+)?/[^\s"'<>?#]*""")


def personal_data_in(text: str, citizens: Citizens, names: re.Pattern | None) -> list[str]:
    found = [f"name {m.group(0)!r}" for m in names.finditer(text)] if names else []
    found += [f"phone {m.group(0)!r}" for m in DIGIT_RUN.finditer(text) if normalise_phone_py(m.group(0)) in citizens.phones]
    # URL paths keep their article ids and dates (…-thang-05-2025-38990), which look like phone numbers: the phone-like
    # scan reads the text without them (a citizen's real number is still found by the check above, paths included).
    found += [f"phone-like {m.group(0)!r}" for m in PHONE_LIKE.finditer(URL_PATH.sub(" ", text))]
    found += [f"e-mail {m.group(0)!r}" for m in EMAIL_LIKE.finditer(text)]
    lowered = text.lower()
    found += [f"e-mail {e!r}" for e in citizens.emails if e in lowered]
    return found


def text_columns(db: Path) -> dict[str, list[str]]:
    """'schema.table.column' -> its distinct non-empty values, for every text column of every table and view."""
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog') order by all"
        ).fetchall()
        return {
            f"{s}.{t}.{c}": [v for (v,) in con.execute(f'select distinct "{c}" from "{s}"."{t}" where "{c}" <> \'\'').fetchall()]
            for s, t, c in columns
        }


def test_no_personal_data_in_any_warehouse_table_or_report(built_pipeline: BuiltPipeline) -> None:
    settings = built_pipeline.settings
    citizens = citizens_of(settings.raw_dir)
    assert len(citizens.names) > 50 and len(citizens.phones) > 50 and len(citizens.emails) > 20
    names = re.compile("|".join(re.escape(n) for n in sorted(citizens.names, key=len, reverse=True)))
    # The scan does find what it looks for: every kind, in the raw feedback files themselves.
    raw_text = "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted((settings.raw_dir / "feedback").glob("*.csv")))
    assert {hit.split()[0] for hit in personal_data_in(raw_text, citizens, names)} == {"name", "phone", "phone-like", "e-mail"}
    findings = []
    for db in (settings.build_db, settings.warehouse_db):
        columns = text_columns(db)
        assert columns
        for column, values in columns.items():
            # Bylines of articles are public (docs/data-contracts.md): the generator draws authors and citizens from one
            # pool of names, so a citizen's name can also be an author's. Phones and e-mails are checked there too.
            by_name = None if column.endswith(".author") else names
            hits = personal_data_in("\n".join(values), citizens, by_name)
            findings += [f"{db.name}:{column}: {hit}" for hit in hits[:5]]
    # the report folder's one copy of the charting library is the library, not data (its licence names its authors)
    reports = sorted(p for p in settings.reports_dir.rglob("*") if p.is_file() and not p.name.startswith("plotly"))
    assert reports
    for report in reports:
        text = report.read_text(encoding="utf-8", errors="replace")
        text = PLOTLY_LIBRARY.sub("", text)  # the charting library itself (its licence names its authors' addresses)
        findings += [f"{report.relative_to(settings.reports_dir)}: {hit}" for hit in personal_data_in(text, citizens, names)[:5]]
    assert not findings, "\n".join(findings[:50])
