"""Ingestion through real Dagster materialisations into a real DuckDB file: every source, every accepted form."""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_defs.assets.ingestion import ingestion_assets
from dagster_defs.resources import EduKpiSettings
from ingestion.pseudonymise import hmac_hex
from edukpi.settings import DEVELOPMENT_HMAC_KEY
from tests.fixtures.ingestion.build import build_raw

RANGE_TAGS = {"dagster/asset_partition_range_start": "2024-02-07", "dagster/asset_partition_range_end": "2024-02-09"}


def assets(*tables: str) -> list[dg.AssetsDefinition]:
    return [a for a in ingestion_assets if a.key.path[-1] in tables]


DAILY = ("ga4_events", "access_log_hits")
FILES = ("page_report_rows", "article_submissions", "feedback_tickets")


def materialize_all(resources: dict, raise_on_error: bool = True) -> list[dg.ExecuteInProcessResult]:
    return [
        dg.materialize(assets(*DAILY), resources=resources, tags=RANGE_TAGS, raise_on_error=raise_on_error),
        dg.materialize(assets(*FILES), resources=resources, raise_on_error=raise_on_error),
    ]


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def metadata_by_asset(results: list[dg.ExecuteInProcessResult]) -> dict[str, dict]:
    found = {}
    for result in results:
        for event in result.get_asset_materialization_events():
            found[event.asset_key.path[-1]] = {k: v.value for k, v in event.materialization.metadata.items()}
    return found


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[dg.ExecuteInProcessResult]]:
    root = tmp_path_factory.mktemp("ingest")
    raw = build_raw(root / "raw")
    db = root / "build" / "warehouse.duckdb"
    results = materialize_all({"settings": EduKpiSettings(raw_dir=str(raw), build_db=str(db))})
    return db, metadata_by_asset(results), results


def test_every_source_loads_with_its_row_count(loaded) -> None:
    db, metadata, results = loaded
    expected = {"ga4_events": 9, "access_log_hits": 13, "page_report_rows": 8, "article_submissions": 10, "feedback_tickets": 8}
    for table, rows in expected.items():
        assert query(db, f"select count(*) from raw.{table}")[0][0] == rows, table
        meta = metadata[table]
        assert (meta["rows_read"], meta["rows_loaded"], meta["rows_quarantined"]) == (rows, rows, 0), table
    assert query(db, "select count(*) from raw.quarantine") == [(0,)]
    assert metadata["ga4_events"]["files"] == 2 and metadata["access_log_hits"]["files"] == 2
    checks = [e for r in results for e in r.get_asset_check_evaluations()]
    assert len(checks) == 5 and all(c.passed for c in checks)
    ledger = query(db, "select source, count(*), sum(rows_read), sum(rows_loaded + rows_quarantined) from raw.ingested_files group by 1")
    assert {row[0]: row[1] for row in ledger} == {"ga4": 2, "access_log": 2, "page_report": 2, "submissions": 2, "feedback": 2}
    assert all(read == accounted for _, _, read, accounted in ledger)


def test_raw_tables_have_the_contract_columns(loaded) -> None:
    from ingestion.contracts import CONTRACTS

    db, _, _ = loaded
    for contract in CONTRACTS.values():
        columns = query(
            db,
            "select column_name, data_type from information_schema.columns where table_schema = 'raw' and table_name = ? "
            "order by ordinal_position",
            [contract.table],
        )
        assert columns == [(n, t) for n, t in contract.all_columns], contract.table


def test_ga4_events_are_flattened(loaded) -> None:
    db, _, _ = loaded
    rows = query(
        db,
        "select event_date, event_local_ts, event_name, page_host, page_path, page_title, ga_session_id, engagement_time_msec, "
        "device_category, traffic_source, traffic_medium, source_file, source_line from raw.ga4_events order by source_file, source_line",
    )
    by_line = {(r[11].rsplit("/", 1)[-1], r[12]): r for r in rows}
    tuyen_sinh = by_line[("events_20240207.ndjson", 3)]
    assert tuyen_sinh[:8] == (dt.date(2024, 2, 7), dt.datetime(2024, 2, 7, 9, 1), "page_view", "hcm.edu.vn",
                              "/tin-tuc/tuyen-sinh-lop-10", "Tuyển sinh lớp 10", 11, 42000)
    assert by_line[("events_20240207.ndjson", 6)][3] == "pgdquan1.hcm.edu.vn"  # host lower-cased
    parquet = by_line[("events_20240208.parquet", 3)]
    assert parquet[:4] == (dt.date(2024, 2, 8), dt.datetime(2024, 2, 8, 23, 59, 59), "page_view", "thptlehongphong.hcm.edu.vn")
    assert parquet[8:11] == ("mobile", "google", "organic")
    page_views = query(db, "select count(*) from raw.ga4_events where event_name = 'page_view'")[0][0]
    assert page_views == 6


def test_access_log_keeps_every_hit_and_times(loaded) -> None:
    """Raw keeps every hit with what the page-view rule needs (stg_access_log__hits decides it, tested in dbt)."""
    db, _, _ = loaded
    rows = query(
        db,
        "select source_line, hit_local_ts, hit_date, host, method, path, status, bytes, referrer, user_agent "
        "from raw.access_log_hits where source_file like '%access-20240207.log' order by source_line",
    )
    assert [r[0] for r in rows] == list(range(1, 11))  # bots, static files, POST and 404 included
    rule_inputs = {r[0]: (r[4], r[6], r[9]) for r in rows}
    assert rule_inputs[3] == ("GET", 200, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert rule_inputs[6] == ("GET", 200, "Zalo")
    assert rule_inputs[7][:2] == ("POST", 200) and rule_inputs[10][:2] == ("GET", 404)
    by_line = {r[0]: r for r in rows}
    assert by_line[2][5] == "/static/site.css" and by_line[4][5] == "/van-ban/qd-123.pdf"
    assert by_line[5][5] == "/tuyen-sinh" and by_line[5][6] == 304 and by_line[5][7] is None  # query string not kept; '-' bytes -> NULL
    assert by_line[8][1:3] == (dt.datetime(2024, 2, 6, 23, 59, 59), dt.date(2024, 2, 6))  # last second of the day before
    assert by_line[9][1] == dt.datetime(2024, 2, 7, 10, 0)  # logged in UTC, stored in local time
    assert by_line[1][3] == "pgdquan1.hcm.edu.vn" and by_line[1][8] == "https://www.google.com/"
    gz = query(db, "select count(*) from raw.access_log_hits where source_file like '%.gz'")
    assert gz == [(3,)]


def test_client_ip_is_stored_only_as_hmac(loaded) -> None:
    db, _, _ = loaded
    key = DEVELOPMENT_HMAC_KEY.encode()
    client = query(db, "select client_key from raw.access_log_hits where source_file like '%20240207.log' and source_line = 1")
    assert client == [(hmac_hex(key, "113.161.1.10"),)]
    text = " ".join(str(v) for row in query(db, "select * from raw.access_log_hits") for v in row)
    assert "113.161.1.10" not in text and "2001:db8::1" not in text


def test_page_reports_from_ga4_and_matomo_exports(loaded) -> None:
    db, metadata, _ = loaded
    assert metadata["page_report_rows"]["mappings"] == {
        "analytics/page_reports/matomo_hcm.edu.vn_2024-02.csv": "matomo_pages (utf-8)",
        "analytics/page_reports/pgdquan1.hcm.edu.vn_2024-02.csv": "ga4_data_api (utf-8)",
    }
    rows = query(db, "select report_date, host, page_path, page_title, pageviews, users, sessions, engagement_seconds "
                     "from raw.page_report_rows order by host, report_date, page_path")
    assert rows[0] == (dt.date(2024, 2, 1), "hcm.edu.vn", "/", None, 500, 250, 300, 12000.0)  # Matomo, site given as URL
    assert (dt.date(2024, 2, 2), "pgdquan1.hcm.edu.vn", "/tuyen-sinh", "Tuyển sinh, lớp 6", 300, 250, 260, 7200.25) in rows


def test_submissions_units_matched_by_code_or_name(loaded) -> None:
    db, _, _ = loaded
    units = dict(query(db, "select submission_id, unit_code from raw.article_submissions"))
    assert units == {
        "BV-2024-0001": "PGD_Q1",  # registry name
        "BV-2024-0002": "PGD_Q3",  # code
        "BV-2024-0003": "PGD_BTHANH",  # no diacritics, lower case
        "BV-2024-0004": "PGD_Q1",  # without the "Phòng Giáo dục và Đào tạo" prefix
        "BV-2024-0005": "THPT_GD",  # without "Trường"
        "BV-2024-0006": "THPT_LHP",  # upper case
        "BV-2024-0007": "SGD_VP",  # extra spaces
        "BV-2024-0101": "PGD_Q5",
        "BV-2024-0102": "PGD_CCHI",
        "BV-2024-0103": "GDTX_Q8",
    }
    first = query(db, "select status, published_at, published_channel, submitted_at, source_line from raw.article_submissions "
                      "where submission_id = 'BV-2024-0006'")
    assert first == [("published", dt.datetime(2024, 3, 14, 8, 0), "ministry", dt.datetime(2024, 3, 12, 11, 11), 8)]
    # The blank line 6 and the two-line title of line 8 keep the later line numbers true.
    assert query(db, "select source_line from raw.article_submissions where submission_id = 'BV-2024-0007'") == [(10,)]


def test_xlsx_submissions_load_with_title_rows_and_typed_dates(loaded) -> None:
    db, metadata, _ = loaded
    assert metadata["article_submissions"]["mappings"]["submissions/2024Q2.xlsx"] == "submissions_vi (xlsx)"
    rows = query(db, "select submission_id, source_line, submitted_at, status, published_at, published_channel, plan_item "
                     "from raw.article_submissions where source_file = 'submissions/2024Q2.xlsx' order by source_line")
    assert rows == [
        ("BV-2024-0101", 5, dt.datetime(2024, 4, 3, 9, 0), "published", dt.datetime(2024, 4, 5, 8, 0), "portal", "III.1"),
        ("BV-2024-0102", 6, dt.datetime(2024, 5, 15, 10, 30), "selected", None, None, "II.6"),  # date typed as text
        ("BV-2024-0103", 7, dt.datetime(2024, 6, 20, 14, 0), "received", None, None, None),
    ]


def test_windows_1258_feedback_loads_with_vietnamese_intact(loaded) -> None:
    db, metadata, _ = loaded
    assert metadata["feedback_tickets"]["mappings"]["feedback/phan_anh_2024Q2.csv"] == "feedback_vi (cp1258)"
    rows = dict(query(db, "select ticket_id, content_masked from raw.feedback_tickets where source_file = 'feedback/phan_anh_2024Q2.csv'"))
    expected = "Giáo viên nghỉ dạy nhiều buổi không có người dạy thay"
    assert rows["PA-2024-0103"] == expected
    assert unicodedata.is_normalized("NFC", rows["PA-2024-0103"])
    assert rows["PA-2024-0101"] == "Đề nghị công bố lịch thi tuyển sinh lớp 10 sớm hơn"
    other = query(db, "select channel, category, status, responder_title from raw.feedback_tickets where ticket_id = 'PA-2024-0103'")
    assert other == [("Hệ thống 1022", "Nhân sự - Giáo viên", "answered", "Hiệu trưởng")]
    key = DEVELOPMENT_HMAC_KEY.encode()
    names = dict(query(db, "select ticket_id, citizen_name_key from raw.feedback_tickets"))
    assert names["PA-2024-0103"] == hmac_hex(key, "huỳnh ngọc ẩn")


def test_feedback_identities_are_pseudonymised_consistently(loaded) -> None:
    db, _, _ = loaded
    key = DEVELOPMENT_HMAC_KEY.encode()
    rows = {r[0]: r[1:] for r in query(db, "select ticket_id, citizen_name_key, citizen_phone_key, citizen_email_key, "
                                           "content_masked, assigned_unit_code, responding_unit_code from raw.feedback_tickets")}
    first, second = rows["PA-2024-0001"], rows["PA-2024-0002"]
    # "Nguyễn Văn An" / "NGUYỄN  VĂN AN" and "0909 123 456" / "+84 909 123 456": the same citizen, the same keys.
    assert first[0] == second[0] == hmac_hex(key, "nguyễn văn an")
    assert first[1] == second[1] == hmac_hex(key, "0909123456")
    assert first[2] == hmac_hex(key, "an.nguyen@example.com") and second[2] is None
    assert rows["PA-2024-0004"][1] == hmac_hex(key, "0909876543")  # 84909876543
    assert rows["PA-2024-0003"][:3] == (None, None, None)
    assert first[3] == "Con tôi chưa nhận kết quả, gọi [số điện thoại] hoặc [email]"
    assert rows["PA-2024-0004"][3] == "Nhà vệ sinh hỏng, liên hệ [số điện thoại] hoặc [số điện thoại]"
    assert rows["PA-2024-0004"][4] == "PGD_TDUC"  # 'pgd_tduc' as typed
    assert rows["PA-2024-0002"][4:] == ("PGD_Q3", "THPT_LHP")
    received = query(db, "select received_at, forwarded_at, responded_at, answer_published_at, status "
                         "from raw.feedback_tickets where ticket_id = 'PA-2024-0001'")
    assert received == [(dt.datetime(2024, 1, 8, 8, 15), None, dt.datetime(2024, 1, 15, 16, 30),
                         dt.datetime(2024, 1, 16, 8, 0), "answered")]


def test_english_headed_exports_are_configuration(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    (raw / "submissions").mkdir(parents=True)
    (raw / ".edukpi-sample.json").write_text("{}", encoding="utf-8")
    (raw / "feedback" / "helpdesk_2024-02.csv").write_text(
        "Ticket ID,Received at,Channel,Category,Citizen name,Phone,Email,Content,Assigned unit,Responding unit,Responded at,Status\n"
        "T-1,2024-02-07T02:15:00+00:00,Hotline,Complaint,Le Van D,0909000111,d@example.com,Please call 0909000111,"
        "Phòng Giáo dục và Đào tạo Quận 1,PGD_Q1,2024-02-08T09:00:00+07:00,Answered\n"
        "T-2,2024-02-07T10:00:00+07:00,Fax,Other,,,,x,PGD_Q1,,,Open\n",
        encoding="utf-8",
    )
    (raw / "submissions" / "tracker.csv").write_text(
        "Submission ID,Unit,Submitted at,Title,Status,Published at,Channel\n"
        "S-1,quan 3,07/02/2024 09:00,Hello,Published,08/02/2024,Press\n",
        encoding="utf-8",
    )
    db = tmp_path / "build.duckdb"
    results = [dg.materialize(assets("feedback_tickets", "article_submissions"),
                              resources={"settings": EduKpiSettings(raw_dir=str(raw), build_db=str(db))})]
    meta = metadata_by_asset(results)
    assert meta["feedback_tickets"]["mappings"] == {"feedback/helpdesk_2024-02.csv": "feedback_en (utf-8)"}
    ticket = query(db, "select ticket_id, received_at, channel, category, assigned_unit_code, responded_at, status, content_masked, "
                       "source_channel, source_category from raw.feedback_tickets order by ticket_id")
    assert ticket == [("T-1", dt.datetime(2024, 2, 7, 9, 15), "Đường dây nóng", "Khiếu nại", "PGD_Q1",
                       dt.datetime(2024, 2, 8, 9, 0), "answered", "Please call [số điện thoại]", "Hotline", "Complaint"),
                      # a channel no mapping knows is not refused: canonical 'Khác', the word as sent kept, counted
                      ("T-2", dt.datetime(2024, 2, 7, 10, 0), "Khác", "Khác", "PGD_Q1", None, "open", "x", "Fax", "Other")]
    assert query(db, "select count(*) from raw.quarantine where source = 'feedback'") == [(0,)]
    assert meta["feedback_tickets"]["values_unmapped"] == 1
    assert meta["feedback_tickets"]["values_unmapped_by_file"] == {"feedback/helpdesk_2024-02.csv": 1}
    submission = query(db, "select unit_code, submitted_at, status, published_at, published_channel from raw.article_submissions")
    assert submission == [("PGD_Q3", dt.datetime(2024, 2, 7, 9, 0), "published", dt.datetime(2024, 2, 8), "press")]
