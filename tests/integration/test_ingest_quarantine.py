"""Contract violations, unmappable headers, idempotency, re-deliveries and personal data, on real Dagster runs."""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_defs.resources import EduKpiSettings
from edukpi.cli import RunProgress
from tests.fixtures.ingestion.build import BAD, GA4_DAY_2, add_bad_files, build_raw, ga4_event, write_ga4_parquet
from tests.integration.test_ingest_sources import assets, materialize_all, query

RAW_TABLES = ("ga4_events", "access_log_hits", "page_report_rows", "article_submissions", "feedback_tickets",
              "quarantine", "ingested_files")


def settings_for(root: Path) -> dict:
    return {"settings": EduKpiSettings(raw_dir=str(root / "raw"), build_db=str(root / "build" / "warehouse.duckdb"))}


def db_of(root: Path) -> Path:
    return root / "build" / "warehouse.duckdb"


def checksums(db: Path) -> dict[str, tuple]:
    """Order-independent content checksum of every raw table (loaded_at included)."""
    return {table: query(db, f"select count(*), bit_xor(hash(t)) from raw.{table} t")[0] for table in RAW_TABLES}


@pytest.fixture(scope="module")
def with_bad_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad")
    add_bad_files(build_raw(root / "raw"))
    materialize_all(settings_for(root))
    return root


def quarantined(db: Path, source_file: str) -> dict[int, tuple[str, str, str]]:
    rows = query(db, "select source_line, column_name, value, reason from raw.quarantine where source_file = ?", [source_file])
    return {line: (column, value, reason) for line, column, value, reason in rows}


def test_malformed_feedback_rows_are_quarantined_with_reasons(with_bad_files: Path) -> None:
    db = db_of(with_bad_files)
    rows = quarantined(db, "feedback/phan_anh_loi.csv")
    assert sorted(rows) == [2, 3, 4, 6, 7, 9, 10, 11, 12, 13]
    assert rows[2] == ("received_at", "2024-02-31 10:00:00",
                       "received_at (Thời điểm tiếp nhận) '2024-02-31 10:00:00' is not a valid date and time; "
                       "expected yyyy-mm-dd HH:MM:SS or yyyy-mm-dd HH:MM")
    assert rows[3][0] == "responded_at" and rows[3][2].endswith("answered before it was received")
    # the channel 'Fax' is an open-vocabulary value (loaded as 'Khác' elsewhere); the unknown status still quarantines
    assert rows[4][0] == "status"
    assert "status (Trạng thái) 'Đã huỷ' is not an accepted value" in rows[4][2] and "Fax" not in rows[4][2]
    assert rows[6] == ("(whole row)", "PA-X-04", "duplicate of line 5 (the same row twice)")
    assert rows[7] == ("ticket_id", "PA-X-05",
                       "replaced by line 8, which has the same ticket_id 'PA-X-05' with different content (the later line is kept)")
    assert "is in the future" in rows[9][2]
    assert rows[10][2].startswith("unit 'Phòng GD Quận 99' is not in the unit registry")
    assert rows[11] == ("(whole row)", None, "the line has 14 fields but the header has 15 "
                                            "(a delimiter is missing or extra; values not checked)")
    assert rows[12] == ("ticket_id", None, "ticket_id (Mã phản ánh) is empty; it is required")
    assert rows[13][2] == "responded_at is empty; it is required when status is answered (Đã trả lời)"
    kept = query(db, "select ticket_id, status, source_line from raw.feedback_tickets where source_file = 'feedback/phan_anh_loi.csv' "
                     "order by source_line")
    assert kept == [("PA-X-04", "open", 5), ("PA-X-05", "closed", 8), ("PA-X-11", "open", 14)]


def test_malformed_rows_of_every_source(with_bad_files: Path) -> None:
    db = db_of(with_bad_files)
    submissions = quarantined(db, "submissions/2024Q3_loi.csv")
    assert sorted(submissions) == [2, 3, 4, 5, 6]
    assert submissions[2][2].startswith("unit 'Phòng GD Quận 99' is not in the unit registry")
    assert submissions[3][2] == ("submitted_at (Ngày gửi) '31/02/2024 10:00' is not a valid date and time; "
                                 "expected dd/mm/yyyy HH:MM or dd/mm/yyyy HH:MM:SS or dd/mm/yyyy")
    assert submissions[4][2] == "published_at is empty; it is required when status is published (Đã đăng)"
    assert submissions[5][2].endswith("published before it was submitted")
    assert submissions[6][0] == "plan_item"
    reports = quarantined(db, "analytics/page_reports/hcm.edu.vn_2024-03.csv")
    assert reports[2][2] == "pageviews (screenPageViews) '-5' is negative; it cannot be below 0"
    assert reports[3][2] == "pageviews (screenPageViews) 'abc' is not a whole number"
    assert reports[4][2] == "report_date (date) '20240332' is not a valid date; expected yyyymmdd or yyyy-mm-dd"
    logs = quarantined(db, "analytics/access_logs/hcm.edu.vn/access-20240209.log")
    assert sorted(logs) == [2, 3, 5, 6, 7]  # line 4 is blank: not a row
    assert logs[2][2].startswith("the line is not in Combined Log Format")
    assert logs[2][1] == "[ip withheld] is not a log line from [ip withheld]"
    assert logs[3][2] == logs[7][2] == "duplicate of line 1 (the same line twice)"
    assert logs[5][0] == "time" and logs[6][0] == "request"


def test_rows_read_equal_loaded_plus_quarantined_for_every_file(with_bad_files: Path) -> None:
    db = db_of(with_bad_files)
    ledger = query(db, """
        select i.source_file, i.rows_read, i.rows_loaded, i.rows_quarantined,
               (select count(*) from raw.quarantine q where q.source_file = i.source_file)
        from raw.ingested_files i""")
    assert len(ledger) == 14
    for source_file, read, loaded, quarantined_rows, in_quarantine in ledger:
        assert read == loaded + quarantined_rows, source_file
        assert quarantined_rows == in_quarantine, source_file
    expected = {
        "feedback/phan_anh_loi.csv": (13, 3, 10),
        "submissions/2024Q3_loi.csv": (6, 1, 5),
        "analytics/page_reports/hcm.edu.vn_2024-03.csv": (4, 1, 3),
        "analytics/access_logs/hcm.edu.vn/access-20240209.log": (6, 1, 5),
    }
    for source_file, counts in expected.items():
        assert tuple(r[1:4] for r in ledger if r[0] == source_file)[0] == counts


def test_no_phone_number_or_email_anywhere_in_raw(with_bad_files: Path) -> None:
    db = db_of(with_bad_files)
    phone = re.compile(r"(?<![\d])(?:\+?84|0)(?:[\s.\-()]*\d){8,10}(?![\d])")
    email = re.compile(r"[\w.+\-]+@[\w\-]+\.[\w.\-]+")
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'raw' and data_type = 'VARCHAR'"
        ).fetchall()
        texts = []
        for table, column in columns:
            values = [v for (v,) in con.execute(f'select distinct "{column}" from raw.{table} where "{column}" is not null').fetchall()]
            texts += [(table, column, v) for v in values]
    assert texts
    for table, column, value in texts:
        if column.endswith("_key") or column in ("file_fingerprint",):
            continue  # HMAC hex digests
        assert not phone.search(value), (table, column, value)
        assert not email.search(value), (table, column, value)
    every_text = "\n".join(v for _, _, v in texts)
    for name in ("Nguyễn Văn An", "Võ Thị Mai", "Trần Bình", "Nguyễn Văn Bảo", "Trần Thị Bích"):
        assert name not in every_text


def test_unmappable_header_fails_naming_file_and_missing_columns(tmp_path: Path) -> None:
    raw = build_raw(tmp_path / "raw")
    shutil.copy(BAD / "feedback" / "sai_tieu_de.csv", raw / "feedback" / "sai_tieu_de.csv")
    result = dg.materialize(assets("feedback_tickets"), resources=settings_for(tmp_path), raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    message = failure.message + "".join(c.message for c in ([failure.cause] if failure.cause else []))
    assert "feedback/sai_tieu_de.csv" in message
    assert "mapping 'feedback_vi'" in message and "mapping 'feedback_en'" in message
    assert "'Mã phản ánh'" in message and "'Ticket ID'" in message
    assert "Header found: 'ID', 'Date', 'Text'" in message
    # Nothing was written: the good files wait until the bad one is fixed or removed.
    assert query(db_of(tmp_path), "select count(*) from raw.feedback_tickets") == [(0,)]


def test_missing_hmac_key_with_real_data_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDUKPI_HMAC_KEY", raising=False)
    build_raw(tmp_path / "raw", sample=False)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(assets("feedback_tickets"), resources=settings_for(tmp_path), raise_on_error=False,
                            instance=instance)
    assert not result.success
    error = result.get_step_failure_events()[0].step_failure_data.error
    text = error.message + (error.cause.message if error.cause else "")
    assert "EDUKPI_HMAC_KEY is not set" in text and "Decree 13/2023" in text
    # `edukpi materialize`'s terminal lines name the cause under Dagster's wrapper, not the wrapper alone.
    shown = io.StringIO()
    progress = RunProgress(shown)
    for entry in instance.all_logs(result.run_id):
        progress.on_event(entry)
    lines = shown.getvalue().splitlines()
    failed = next(i for i, line in enumerate(lines) if "✗ raw__feedback_tickets failed:" in line)
    assert "EDUKPI_HMAC_KEY is not set" in "\n".join(lines[failed:failed + 8]), shown.getvalue()
    monkeypatch.setenv("EDUKPI_HMAC_KEY", "the-department-secret")
    assert dg.materialize(assets("feedback_tickets"), resources=settings_for(tmp_path)).success


def test_rerun_on_unchanged_files_changes_nothing(tmp_path: Path) -> None:
    add_bad_files(build_raw(tmp_path / "raw"))
    materialize_all(settings_for(tmp_path))
    before = checksums(db_of(tmp_path))
    results = materialize_all(settings_for(tmp_path))
    assert checksums(db_of(tmp_path)) == before
    for result in results:
        for event in result.get_asset_materialization_events():
            assert event.materialization.metadata["files"].value == 0


def test_redelivered_ga4_day_replaces_that_day(tmp_path: Path) -> None:
    raw = build_raw(tmp_path / "raw")
    db = db_of(tmp_path)
    materialize_all(settings_for(tmp_path))
    other_day = query(db, "select count(*), bit_xor(hash(t)) from raw.ga4_events t where event_date = '2024-02-07'")
    late = ga4_event("2024-02-08 21:00:00", "page_view", "https://hcm.edu.vn/tin-tre", "Tin trễ", session=23)
    write_ga4_parquet(raw / "analytics" / "ga4" / "events_20240208.parquet", [*GA4_DAY_2[1:], late])
    result = dg.materialize(assets("ga4_events"), resources=settings_for(tmp_path), partition_key="2024-02-08")
    meta = {k: v.value for k, v in result.get_asset_materialization_events()[0].materialization.metadata.items()}
    assert (meta["rows_read"], meta["days_loaded"]) == (3, 1)
    rows = query(db, "select page_path from raw.ga4_events where event_date = '2024-02-08' order by event_timestamp_us")
    assert rows == [("/",), ("/tin-tre",), ("/",)]
    assert query(db, "select count(*), bit_xor(hash(t)) from raw.ga4_events t where event_date = '2024-02-07'") == other_day
    assert query(db, "select count(*) from raw.ingested_files where source = 'ga4'") == [(2,)]


def test_corrected_file_replaces_and_removed_file_disappears(tmp_path: Path) -> None:
    raw = build_raw(tmp_path / "raw")
    db = db_of(tmp_path)
    materialize_all(settings_for(tmp_path))
    csv = raw / "submissions" / "2024Q1.csv"
    corrected = csv.read_text(encoding="utf-8-sig").replace("Được chọn,,,", "Đã đăng,15/01/2024 08:00,Báo chí,")
    csv.write_text(corrected, encoding="utf-8")
    (raw / "feedback" / "phan_anh_2024Q2.csv").unlink()
    shutil.rmtree(raw / "analytics" / "access_logs")
    results = materialize_all(settings_for(tmp_path))
    assert query(db, "select status, published_channel from raw.article_submissions where submission_id = 'BV-2024-0002'") == [
        ("published", "press")]
    assert query(db, "select count(*) from raw.article_submissions where source_file = 'submissions/2024Q1.csv'") == [(7,)]
    assert query(db, "select count(*) from raw.feedback_tickets where source_file like '%2024Q2%'") == [(0,)]
    assert query(db, "select count(*) from raw.access_log_hits") == [(0,)]
    assert query(db, "select count(*) from raw.ingested_files where source in ('access_log') or source_file like '%2024Q2.csv'") == [(0,)]
    files_meta = {e.asset_key.path[-1]: e.materialization.metadata for r in results for e in r.get_asset_materialization_events()}
    assert files_meta["feedback_tickets"]["files_removed"].value == 1
    assert files_meta["article_submissions"]["files"].value == 1


def test_sensor_requests_runs_for_new_changed_and_removed_files(tmp_path: Path) -> None:
    from dagster_defs.sensors import raw_files_sensor

    raw = build_raw(tmp_path / "raw")
    resources = settings_for(tmp_path)
    first = raw_files_sensor(dg.build_sensor_context(cursor=None, resources=resources))
    requests = {(r.partition_key, tuple(k.to_user_string() for k in r.asset_selection)) for r in first.run_requests}
    assert requests == {
        ("2024-02-07", ("raw/access_log_hits", "raw/ga4_events")),
        ("2024-02-08", ("raw/access_log_hits", "raw/ga4_events")),
        (None, ("raw/article_submissions", "raw/feedback_tickets", "raw/page_report_rows")),
    }
    quiet = raw_files_sensor(dg.build_sensor_context(cursor=first.cursor, resources=resources))
    assert not quiet.run_requests
    (raw / "analytics" / "ga4" / "events_20240207.ndjson").unlink()
    (raw / "feedback" / "phan_anh_2024Q1.csv").write_text("changed", encoding="utf-8")
    again = raw_files_sensor(dg.build_sensor_context(cursor=quiet.cursor, resources=resources))
    requests = {(r.partition_key, tuple(k.to_user_string() for k in r.asset_selection)) for r in again.run_requests}
    assert requests == {("2024-02-07", ("raw/ga4_events",)), (None, ("raw/feedback_tickets",))}
