"""Exports the project has never seen (issue #12): reference data an analyst edits, re-checks when a mapping or the
reference data changes, open vocabularies, values from constants and file names, periods, refused mappings, URL masking.
Real loads (the functions the Dagster assets call) into a DuckDB file of the test's own."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingestion.loading import accounting_problems, load_tabular
from ingestion.mappings import RejectedFileError, load_mappings
from ingestion.pseudonymise import mask_contacts, mask_contacts_in_url, mask_contacts_in_url_sql, mask_contacts_sql
from edukpi.settings import DEFAULT_REFERENCE_DIR, MAPPINGS_DIR, PROJECT_ROOT, Settings
from ingestion.sources import SOURCES

HELPDESK_HEADER = "Ticket ID,Received at,Channel,Category,Content,Assigned unit,Responding unit,Responded at,Status\n"


def setup(root: Path) -> Settings:
    """A raw folder, and copies of the shipped reference data and mappings the test may edit."""
    shutil.copytree(DEFAULT_REFERENCE_DIR, root / "reference")
    shutil.copytree(MAPPINGS_DIR, root / "mappings")
    (root / "raw").mkdir()
    return Settings(raw_dir=root / "raw", build_db=root / "build.duckdb", warehouse_db=root / "warehouse.duckdb",
                    reports_dir=root / "reports", hmac_key="test-key", reference_dir=root / "reference",
                    mappings_dir=root / "mappings")


def deliver(settings: Settings, relative: str, text: str) -> None:
    path = settings.raw_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_reference_dir_is_a_setting() -> None:
    default = Settings.from_env({})
    assert default.reference_dir == DEFAULT_REFERENCE_DIR
    assert DEFAULT_REFERENCE_DIR.parts[-2:] == ("data", "reference")
    assert (DEFAULT_REFERENCE_DIR / "unit_registry.csv").is_file()
    # dbt gets the folder relative to its project (an absolute seed path would make dbt write over the CSV)
    assert default.as_env()["EDUKPI_REFERENCE_SEED_PATH"] == "../data/reference"
    other = Settings.from_env({"EDUKPI_REFERENCE_DIR": str(PROJECT_ROOT / "data" / "reference_2026")})
    assert other.unit_registry_csv == PROJECT_ROOT / "data" / "reference_2026" / "unit_registry.csv"
    assert other.as_env()["EDUKPI_REFERENCE_SEED_PATH"] == "../data/reference_2026"
    with pytest.raises(ValueError, match="EDUKPI_REFERENCE_DIR /srv/ref is outside the project folder"):
        Settings.from_env({"EDUKPI_REFERENCE_DIR": "/srv/ref"})


def test_unknown_unit_says_where_to_add_it_and_adding_it_rechecks_the_file(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    deliver(settings, "feedback/other_city.csv", HELPDESK_HEADER
            + "T-1,2024-02-07T09:00:00+07:00,Portal,Admissions,x,Phòng GDĐT Huyện Mới,,,Open\n"
            + "T-2,2024-02-07T10:00:00+07:00,Portal,Admissions,y,PGD_Q1,,,Open\n")
    first = load_tabular(settings, SOURCES["feedback"])
    assert (first.rows_read, first.rows_loaded, first.rows_quarantined) == (2, 1, 1)
    [(reason,)] = query(settings, "select reason from raw.quarantine")
    registry = settings.reference_dir / "unit_registry.csv"
    assert "unit 'Phòng GDĐT Huyện Mới' is not in the unit registry" in reason
    assert f"add a line to {registry}" in reason and "unit_code, unit_name, unit_type" in reason

    # Unchanged file, mapping and registry: nothing is read again.
    again = load_tabular(settings, SOURCES["feedback"])
    assert again.files_read == [] and again.files_unchanged == ["feedback/other_city.csv"]

    # The analyst adds the unit: the file (bytes unchanged) is checked again and its row loads; history is kept.
    with registry.open("a", encoding="utf-8") as handle:
        handle.write("PGD_HM,Phòng GDĐT Huyện Mới,district_office,,2020-01-01,,\n")
    rechecked = load_tabular(settings, SOURCES["feedback"])
    assert rechecked.files_rechecked == ["feedback/other_city.csv"]
    assert (rechecked.rows_read, rechecked.rows_loaded, rechecked.rows_quarantined) == (2, 2, 0)
    assert query(settings, "select ticket_id, assigned_unit_code from raw.feedback_tickets order by 1") == [
        ("T-1", "PGD_HM"), ("T-2", "PGD_Q1")]
    history = query(settings, "select source_line, superseded_at is not null from raw.quarantine")
    assert history == [(2, True)]  # the earlier finding stays, marked superseded
    assert query(settings, "select rows_read, rows_loaded, rows_quarantined, mapping_name from raw.ingested_files") == [
        (2, 2, 0, "feedback_en")]
    assert accounting_problems(settings, SOURCES["feedback"]) == []


def test_a_changed_mapping_rechecks_the_files_it_read(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    deliver(settings, "submissions/tracker.csv",
            "Submission ID,Unit,Submitted at,Title,Status,Published at,Channel\nS-1,PGD_Q1,07/02/2024 09:00,A,Accepted,,\n"
            "S-2,PGD_Q1,07/02/2024 10:00,B,Received,,\n")
    first = load_tabular(settings, SOURCES["submissions"])
    assert (first.rows_loaded, first.rows_quarantined) == (1, 1)
    mapping = settings.mappings_dir / "submissions" / "20_submission_tracker_en.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("    Received: received\n",
                                                                  "    Received: received\n    Accepted: received\n"),
                       encoding="utf-8")
    second = load_tabular(settings, SOURCES["submissions"])
    assert second.files_rechecked == ["submissions/tracker.csv"]
    assert (second.rows_read, second.rows_loaded, second.rows_quarantined) == (2, 2, 0)
    assert query(settings, "select count(*), count(superseded_at) from raw.quarantine") == [(1, 1)]
    [(recorded,)] = query(settings, "select mapping_sha256 from raw.ingested_files")
    assert recorded == load_mappings("submissions", settings.mappings_dir)[1].sha256
    assert accounting_problems(settings, SOURCES["submissions"]) == []


def test_unmapped_feedback_words_keep_the_source_value_and_are_counted(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    deliver(settings, "feedback/other_city.csv", HELPDESK_HEADER
            + "T-1,2024-02-07T09:00:00+07:00,Zalo OA,Giấy phép dạy thêm,x,PGD_Q1,,,Open\n"
            + "T-2,2024-02-07T10:00:00+07:00,Hotline,Complaint,y,PGD_Q1,,,Open\n")
    report = load_tabular(settings, SOURCES["feedback"])
    assert (report.rows_loaded, report.rows_quarantined) == (2, 0)
    assert report.values_unmapped == {"feedback/other_city.csv": 2}
    assert query(settings, "select channel, source_channel, category, source_category from raw.feedback_tickets order by 1") == [
        ("Khác", "Zalo OA", "Khác", "Giấy phép dạy thêm"), ("Đường dây nóng", "Hotline", "Khiếu nại", "Complaint")]
    assert query(settings, "select values_unmapped from raw.ingested_files") == [(2,)]


PERIOD_MAPPING = r"""
name: monthly_totals
description: 30-day page totals of another site; the period is in the file name
columns:
  page_path: Page
  page_title: Title
  pageviews: Views
constants:
  host: example.org
from_filename:
  pattern: '(?P<period_start>\d{8})-(?P<period_end>\d{8})'
  formats: {period_start: "%Y%m%d", period_end: "%Y%m%d"}
"""


def test_constants_and_a_period_from_the_file_name_keep_a_report_at_its_grain(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    (settings.mappings_dir / "page_report" / "30_monthly_totals.yaml").write_text(PERIOD_MAPPING, encoding="utf-8")
    deliver(settings, "analytics/page_reports/pages_20250501-20250530.csv",
            "Page,Title,Views\n/tin-tuc/a-38990,A,3000\n/,Trang chủ,120\n")
    report = load_tabular(settings, SOURCES["page_report"])
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 2, 0)
    assert report.mappings_used == {"analytics/page_reports/pages_20250501-20250530.csv": "monthly_totals (utf-8)"}
    rows = query(settings, "select report_date, period_start, period_end, host, page_path, pageviews "
                           "from raw.page_report_rows order by pageviews")
    # a 30-day total is stamped on no single day (report_date NULL); the period is kept whole
    assert rows == [(None, dt.date(2025, 5, 1), dt.date(2025, 5, 30), "example.org", "/", 120),
                    (None, dt.date(2025, 5, 1), dt.date(2025, 5, 30), "example.org", "/tin-tuc/a-38990", 3000)]

    deliver(settings, "analytics/page_reports/pages_may.csv", "Page,Title,Views\n/,x,1\n")
    with pytest.raises(RejectedFileError) as refused:
        load_tabular(settings, SOURCES["page_report"])
    message = str(refused.value)
    assert "analytics/page_reports/pages_may.csv" in message and "monthly_totals" in message
    assert "'pages_may.csv' does not match its pattern" in message


def test_a_period_that_ends_before_it_starts_is_quarantined(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    (settings.mappings_dir / "page_report" / "30_monthly_totals.yaml").write_text(PERIOD_MAPPING, encoding="utf-8")
    deliver(settings, "analytics/page_reports/pages_20250530-20250501.csv", "Page,Title,Views\n/,x,1\n")
    report = load_tabular(settings, SOURCES["page_report"])
    assert (report.rows_loaded, report.rows_quarantined) == (0, 1)
    assert query(settings, "select column_name, reason from raw.quarantine") == [
        ("period_end", "period_end '20250501' is before period_start '20250530'")]


def test_daily_page_reports_keep_their_day(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    deliver(settings, "analytics/page_reports/ga4_20240207.csv",
            "date,hostName,pagePath,pageTitle,screenPageViews,activeUsers,sessions,userEngagementDuration\n"
            "20240207,pgdquan1.hcm.edu.vn,/,Trang chủ,5,4,4,10\n")
    load_tabular(settings, SOURCES["page_report"])
    assert query(settings, "select report_date, period_start, period_end from raw.page_report_rows") == [
        (dt.date(2024, 2, 7), dt.date(2024, 2, 7), dt.date(2024, 2, 7))]


@pytest.mark.parametrize("columns, aliases, fields", [
    ("  page_path: Page\n  page_title: page\n", "", "page_path, page_title all read header 'page'"),
    ("  page_path: Page\n  page_title: Title\n", "header_aliases: {page_title: [' PAGE ']}\n",
     "page_path, page_title all read header 'page'"),
])
def test_a_mapping_giving_two_fields_one_header_is_refused(tmp_path: Path, columns: str, aliases: str, fields: str) -> None:
    folder = tmp_path / "mappings" / "page_report"
    folder.mkdir(parents=True)
    path = folder / "10_two_fields_one_header.yaml"
    path.write_text("name: bad\ncolumns:\n  report_date: Date\n  host: Site\n" + columns + "  pageviews: Views\n" + aliases,
                    encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_mappings("page_report", tmp_path / "mappings")
    assert str(path) in str(refused.value) and fields in str(refused.value)


URLS = [
    "/tin-tuc/cap-phep-thang-05-2025-38990",
    "/van-ban/quyet-dinh-4874-qd-ubnd-2023-0912345678",
    "https://pgdquan1.hcm.edu.vn/tin-tuc/thong-bao-so-0909123456?ref=home",
    "/tim-kiem?q=0909 123 456&email=a.b@example.com",
    "/lien-he#goi-0909123456",
    "/huy-dang-ky/nguyen.van.a@example.com/0909123456",
    "/",
    None,
]
MASKED = [
    "/tin-tuc/cap-phep-thang-05-2025-38990",
    "/van-ban/quyet-dinh-4874-qd-ubnd-2023-0912345678",
    "https://pgdquan1.hcm.edu.vn/tin-tuc/thong-bao-so-0909123456?ref=home",
    "/tim-kiem?q=[số điện thoại]&email=[email]",
    "/lien-he#goi-[số điện thoại]",
    "/huy-dang-ky/[email]/0909123456",  # an address is never an id: masked in the path too
    "/",
    None,
]


def test_urls_keep_their_path_and_lose_contacts_in_the_query() -> None:
    in_polars = pl.DataFrame({"u": URLS}, schema={"u": pl.String}).select(mask_contacts_in_url(pl.col("u")))["u"].to_list()
    with duckdb.connect() as con:
        in_duckdb = [r[0] for r in con.execute(
            f"select {mask_contacts_in_url_sql('u')} from unnest(?::varchar[]) with ordinality x(u, i) order by i", [URLS]
        ).fetchall()]
    assert in_polars == MASKED and in_duckdb == MASKED
    # free text is still masked everywhere (a title, a feedback's content)
    text = "Cấp phép tháng 05-2025, liên hệ 0909 123 456 hoặc a.b@example.com"
    assert pl.select(mask_contacts(pl.lit(text))).item() == "Cấp phép tháng 05-2025, liên hệ [số điện thoại] hoặc [email]"
    with duckdb.connect() as con:
        assert con.execute(f"select {mask_contacts_sql('t')} from (select ?::varchar as t)", [text]).fetchone()[0] == pl.select(mask_contacts(pl.lit(text))).item()


def test_page_report_paths_with_long_ids_are_not_merged(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    deliver(settings, "analytics/page_reports/ga4_20250520.csv",
            "date,hostName,pagePath,pageTitle,screenPageViews,activeUsers,sessions,userEngagementDuration\n"
            "20250520,hcm.edu.vn,/tin-tuc/cap-phep-thang-05-2025-38990,Cấp phép tháng 05-2025,7,5,5,10\n"
            "20250520,hcm.edu.vn,/tin-tuc/cap-phep-thang-05-2025-41235,Gọi 0909123456 để hỏi,3,2,2,10\n"
            "20250520,hcm.edu.vn,/tim-kiem?q=0909123456,Tìm kiếm,1,1,1,1\n")
    load_tabular(settings, SOURCES["page_report"])
    assert query(settings, "select page_path, page_title from raw.page_report_rows order by source_line") == [
        ("/tin-tuc/cap-phep-thang-05-2025-38990", "Cấp phép tháng 05-2025"),
        ("/tin-tuc/cap-phep-thang-05-2025-41235", "Gọi [số điện thoại] để hỏi"),
        ("/tim-kiem?q=[số điện thoại]", "Tìm kiếm"),
    ]


def test_a_build_file_from_before_is_upgraded_and_its_files_checked_once_more(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    deliver(settings, "feedback/other_city.csv", HELPDESK_HEADER + "T-1,2024-02-07T09:00:00+07:00,Portal,Admissions,x,PGD_Q1,,,Open\n")
    load_tabular(settings, SOURCES["feedback"])
    with duckdb.connect(str(settings.build_db)) as con:  # the shape of a build file written before these columns existed
        for table, column in (("feedback_tickets", "source_channel"), ("feedback_tickets", "source_category"),
                              ("ingested_files", "mapping_name"), ("ingested_files", "mapping_sha256"),
                              ("ingested_files", "reference_fingerprint"), ("ingested_files", "values_unmapped")):
            con.execute(f"alter table raw.{table} drop column {column}")
    report = load_tabular(settings, SOURCES["feedback"])
    assert report.files_rechecked == ["feedback/other_city.csv"]  # what it was checked against is unknown: once more
    assert query(settings, "select ticket_id, source_channel from raw.feedback_tickets") == [("T-1", "Portal")]
    assert load_tabular(settings, SOURCES["feedback"]).files_unchanged == ["feedback/other_city.csv"]
    assert accounting_problems(settings, SOURCES["feedback"]) == []
