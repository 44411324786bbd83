"""Daily loads in chunks of days (ingestion/loading.py `load_daily`): the same tables whatever the chunk size, a chunk
that fails leaves its days as they were (chunks committed before it stay), event parameters flattened as GA4 gives
them, and every DuckDB connection of the build capped in memory (ingestion/build_db.py, dbt_project/profiles.yml)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from ingestion.daily import DayFile
from ingestion.loading import accounting_problems, day_chunks, load_daily
from ingestion.mappings import RejectedFileError
from edukpi.settings import DBT_PROJECT_DIR, Settings
from ingestion.sources import SOURCES
from ingestion.build_db import MEMORY_LIMIT_ENV, connect, temp_directory
from tests.fixtures.ingestion.build import (GA4_DAY_1, add_bad_files, build_raw, ga4_event, write_ga4_ndjson,
                                           write_ga4_parquet)

DAYS = [dt.date(2024, 2, 7), dt.date(2024, 2, 8), dt.date(2024, 2, 9)]
LOADED_AT = dt.datetime(2024, 3, 1, 6, 0)
TABLES = ("ga4_events", "access_log_hits", "quarantine", "ingested_files")
GA4_DAY_3 = [  # 2024-02-09: two good events, one of another day, one page_view without a URL
    ga4_event("2024-02-09 07:00:00", "page_view", "https://hcm.edu.vn/lich-thi", "Lịch thi", session=31, engagement=900),
    ga4_event("2024-02-09 07:00:30", "scroll", "https://hcm.edu.vn/lich-thi", session=31),
    ga4_event("2024-02-10 00:00:01", "page_view", "https://hcm.edu.vn/", "Trang chủ", session=32),
    ga4_event("2024-02-09 08:00:00", "page_view", None, "Không có URL", session=33),
]


def settings_for(root: Path) -> Settings:
    return Settings(raw_dir=root / "raw", build_db=root / "build.duckdb", warehouse_db=root / "warehouse.duckdb",
                    reports_dir=root / "reports", hmac_key=None)


def delivery(root: Path) -> Settings:
    raw = build_raw(root / "raw")
    add_bad_files(raw)
    write_ga4_parquet(raw / "analytics" / "ga4" / "events_20240209.parquet", GA4_DAY_3)
    return settings_for(root)


def load_both(settings: Settings, **kwargs) -> dict[str, tuple[int, int, int]]:
    counts = {}
    for name in ("ga4", "access_log"):
        report = load_daily(settings, SOURCES[name], DAYS, LOADED_AT, **kwargs)
        counts[name] = (report.rows_read, report.rows_loaded, report.rows_quarantined)
        assert report.rows_read == report.rows_loaded + report.rows_quarantined
        assert accounting_problems(settings, SOURCES[name]) == []
    return counts


def contents(db: Path, where: dict[str, str] | None = None) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            table: sorted(con.execute(f"select * from raw.{table} where {(where or {}).get(table, 'true')}").fetchall(),
                          key=repr)
            for table in TABLES
        }


def test_day_chunks_keep_days_whole_and_in_order(tmp_path: Path) -> None:
    settings = delivery(tmp_path)
    source = SOURCES["access_log"]
    files: dict[dt.date, list[DayFile]] = {d: [] for d in DAYS}
    for rel, path in source.find_files(settings.raw_dir).items():
        files[source.day_of(rel)].append(DayFile(path, rel, "", source.day_of(rel)))
    assert day_chunks(DAYS, files, 1) == [[d] for d in DAYS]
    assert day_chunks(DAYS, files, 10**9) == [DAYS]
    assert day_chunks(DAYS + [dt.date(2024, 2, 10)], {**files, dt.date(2024, 2, 10): []}, 10**9) == [
        DAYS + [dt.date(2024, 2, 10)]]


def test_a_load_in_chunks_equals_a_load_in_one(tmp_path: Path) -> None:
    one = delivery(tmp_path / "one")
    chunked = delivery(tmp_path / "chunked")
    counts = load_both(one)
    assert load_both(chunked, chunk_bytes=1) == counts  # every day its own chunk and transaction
    assert counts["ga4"] == (13, 11, 2) and counts["access_log"][2] > 0
    assert contents(one.build_db) == contents(chunked.build_db)
    with duckdb.connect(str(one.build_db), read_only=True) as con:
        reasons = con.execute("select source_line, column_name, reason from raw.quarantine where source = 'ga4' "
                              "order by source_line").fetchall()
    assert [(line, column) for line, column, _ in reasons] == [(3, "event_date"), (4, "page_location")]
    assert reasons[0][2].startswith("event_date '20240210' is not the day of the file (20240209)")
    assert reasons[1][2].startswith("page_location is empty")


def test_each_committed_chunk_reports_the_days_loaded_so_far(tmp_path: Path) -> None:
    """The progress `edukpi materialize` shows over a range of days: one call per committed chunk, in order."""
    settings = delivery(tmp_path)
    calls: list[tuple[int, int, dt.date]] = []
    report = load_daily(settings, SOURCES["ga4"], DAYS, LOADED_AT, chunk_bytes=1,
                        on_chunk=lambda done, total, last: calls.append((done, total, last)))
    assert calls == [(1, 3, DAYS[0]), (2, 3, DAYS[1]), (3, 3, DAYS[2])]
    assert len(report.days_loaded) == 3
    calls.clear()
    load_daily(settings, SOURCES["ga4"], DAYS, LOADED_AT, on_chunk=lambda *args: calls.append(args))
    assert calls == []  # nothing changed: no chunk loaded


def test_a_failing_chunk_leaves_its_days_as_they_were(tmp_path: Path) -> None:
    settings = delivery(tmp_path)
    load_both(settings)
    day_3 = {"ga4_events": "event_date = '2024-02-09'", "access_log_hits": "false",
             "quarantine": "source_file like '%20240209%'", "ingested_files": "source_file like '%20240209%'"}
    before = contents(settings.build_db, day_3)
    ga4 = settings.raw_dir / "analytics" / "ga4"
    # Day 1 re-delivered with one event less; day 3 replaced by a Parquet file of another export DuckDB cannot read.
    write_ga4_ndjson(ga4 / "events_20240207.ndjson", GA4_DAY_1[1:])
    pq.write_table(pa.table({"event_date": ["20240209"], "event_name": ["page_view"]}), ga4 / "events_20240209.parquet")

    with pytest.raises(RejectedFileError) as error:
        load_daily(settings, SOURCES["ga4"], DAYS, LOADED_AT + dt.timedelta(days=1), chunk_bytes=1)
    assert "analytics/ga4/events_20240209.parquet: cannot be read" in str(error.value)
    assert "events_20240207" not in str(error.value)
    assert contents(settings.build_db, day_3) == before
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        # The chunk before it was committed: day 1 holds the re-delivered file, and a new run leaves it alone.
        assert con.execute("select count(*) from raw.ga4_events where event_date = '2024-02-07'").fetchone() == (
            len(GA4_DAY_1) - 1,)
    assert accounting_problems(settings, SOURCES["ga4"]) == []
    (ga4 / "events_20240209.parquet").unlink()
    report = load_daily(settings, SOURCES["ga4"], DAYS, chunk_bytes=1)
    assert report.days_loaded == ["2024-02-09"] and report.days_unchanged == ["2024-02-07", "2024-02-08"]


def test_event_params_first_of_each_key_strings_and_ints(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / ".edukpi-sample.json").write_text("{}", encoding="utf-8")
    event = ga4_event("2024-02-09 07:00:00", "page_view", "https://hcm.edu.vn/a", "A", session=7, engagement=1500)
    event["event_params"] = [
        {"key": "engagement_time_msec", "value": {"string_value": "2500", "int_value": None}},  # a number as text
        *event["event_params"],
        {"key": "page_location", "value": {"string_value": "https://hcm.edu.vn/b", "int_value": None}},  # second: ignored
        {"key": "other", "value": {"string_value": None, "int_value": 3}},
    ]
    bare = ga4_event("2024-02-09 07:00:01", "scroll", None, session=8)
    bare["event_params"] = []
    write_ga4_parquet(tmp_path / "raw" / "analytics" / "ga4" / "events_20240209.parquet", [event, bare])
    load_daily(settings, SOURCES["ga4"], [dt.date(2024, 2, 9)])
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        rows = con.execute("select page_host, page_path, page_title, ga_session_id, engagement_time_msec "
                           "from raw.ga4_events order by source_line").fetchall()
    assert rows == [("hcm.edu.vn", "/a", "A", 7, 2500), (None, None, None, None, None)]


def test_build_connections_are_memory_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "build" / "warehouse.duckdb"

    def settings_of_connection() -> tuple[str, str]:
        con = connect(db)
        try:
            return con.execute("select current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
        finally:
            con.close()

    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    assert settings_of_connection() == ("2.7 GiB", str(temp_directory(db)))  # 3GB = 3·10⁹ bytes
    assert temp_directory(db) == tmp_path / "build" / "warehouse.duckdb.tmp"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "512MB")
    assert settings_of_connection()[0] == "488.2 MiB"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "a lot")
    with pytest.raises(ValueError, match=MEMORY_LIMIT_ENV):
        connect(db)


def test_dbt_connections_have_the_same_cap() -> None:
    output = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))["edukpi"]["outputs"]["build"]
    assert output["settings"]["memory_limit"] == "{{ env_var('EDUKPI_DUCKDB_MEMORY_LIMIT', '3GB') }}"
    # temp_directory when the file is opened (dbt-duckdb repeats `settings` on every cursor; DuckDB refuses to switch).
    assert "temp_directory" not in output["settings"]
    assert output["config_options"]["temp_directory"] == output["path"] + ".tmp"


def test_suspect_events_are_found_per_file_and_page(tmp_path: Path) -> None:
    """The first read keeps only the line numbers of events breaking a rule on their own columns; events whose page is
    missing or not a full URL are fetched again by file and page. The same bad page in two files of one chunk, a blank
    page, a page-less event that is not a page view (loaded), and a clean file: each event is loaded or quarantined once."""
    settings = settings_for(tmp_path)
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / ".edukpi-sample.json").write_text("{}", encoding="utf-8")
    ga4 = tmp_path / "raw" / "analytics" / "ga4"
    write_ga4_parquet(ga4 / "events_20240207.parquet", [
        ga4_event("2024-02-07 07:00:00", "page_view", "https://hcm.edu.vn/a", "A"),
        ga4_event("2024-02-07 07:00:01", "page_view", "hcm.edu.vn/khong-day-du", "B"),  # not a full URL
        ga4_event("2024-02-07 07:00:02", "session_start", None),  # no page, not a page view: loaded
        ga4_event("2024-02-07 07:00:03", "page_view", "   ", "C"),  # blank page on a page view
        ga4_event("2024-02-06 23:59:59", "page_view", "https://hcm.edu.vn/a", "A"),  # the day before
    ])
    write_ga4_ndjson(ga4 / "events_20240208.ndjson", [
        ga4_event("2024-02-08 07:00:00", "scroll", "hcm.edu.vn/khong-day-du", "B"),  # the same bad page, another file
        ga4_event("2024-02-08 07:00:01", "page_view", "https://hcm.edu.vn/a", "A"),
    ])
    write_ga4_parquet(ga4 / "events_20240209.parquet", [
        ga4_event("2024-02-09 07:00:00", "page_view", "https://hcm.edu.vn/a", "A"),
        ga4_event("2024-02-09 07:00:01", "page_view", "https://hcm.edu.vn/b", "B"),
    ])
    report = load_daily(settings, SOURCES["ga4"], DAYS, LOADED_AT)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (9, 5, 4)
    assert accounting_problems(settings, SOURCES["ga4"]) == []
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        loaded = con.execute("select source_file, source_line, event_name from raw.ga4_events order by 1, 2").fetchall()
        quarantined = con.execute("select source_file, source_line, column_name from raw.quarantine "
                                  "where source = 'ga4' order by 1, 2").fetchall()
    assert loaded == [("analytics/ga4/events_20240207.parquet", 1, "page_view"),
                      ("analytics/ga4/events_20240207.parquet", 3, "session_start"),
                      ("analytics/ga4/events_20240208.ndjson", 2, "page_view"),
                      ("analytics/ga4/events_20240209.parquet", 1, "page_view"),
                      ("analytics/ga4/events_20240209.parquet", 2, "page_view")]
    assert quarantined == [("analytics/ga4/events_20240207.parquet", 2, "page_location"),
                           ("analytics/ga4/events_20240207.parquet", 4, "page_location"),
                           ("analytics/ga4/events_20240207.parquet", 5, "event_date"),
                           ("analytics/ga4/events_20240208.ndjson", 1, "page_location")]


def test_streamed_files_weigh_a_quarter_of_their_size_in_a_chunk(tmp_path: Path) -> None:
    """GA4's Parquet is read where the insert uses it, never staged: its chunks hold 4x the bytes of staged input."""
    days = [dt.date(2024, 3, 1) + dt.timedelta(days=i) for i in range(8)]
    files: dict[dt.date, list[DayFile]] = {}
    for day in days:
        for suffix in (".parquet", ".ndjson.gz"):
            path = tmp_path / f"events_{day:%Y%m%d}{suffix}"
            path.write_bytes(b"x" * 1000)
            files.setdefault(day, []).append(DayFile(path, path.name, "", day))
    parquet = {d: [f for f in fs if f.path.suffix == ".parquet"] for d, fs in files.items()}
    json_gz = {d: [f for f in fs if f.path.suffix == ".gz"] for d, fs in files.items()}
    assert day_chunks(days, json_gz, 2000, SOURCES["ga4"].streamed_suffixes) == [days[i:i + 2] for i in range(0, 8, 2)]
    assert day_chunks(days, parquet, 2000, SOURCES["ga4"].streamed_suffixes) == [days]
    assert day_chunks(days, parquet, 2000) == [days[i:i + 2] for i in range(0, 8, 2)]  # a source that stages them
    assert SOURCES["access_log"].streamed_suffixes == ()
