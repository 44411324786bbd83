"""Real exports from other systems (issue #12, points 1–4 and 11): any year, any subset of sources, any time zone.

Calendar and first-day rules run on real DuckDB files; the three pipeline tests run `edukpi materialize` (Dagster, dbt,
publish, reports) on small foreign deliveries in a temp dir: a 2015 export, feedback alone, analytics alone.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from html import unescape
from pathlib import Path

import duckdb
import holidays
import polars as pl
import pytest

from ingestion.contracts import CALENDAR_TABLE
from ingestion.loading import WHOLE_FILE, accounting_problems, refuse_files_before_first_day
from ingestion.mappings import _load as load_mapping_file
from edukpi.settings import DEFAULT_FIRST_DAY, Settings
from ingestion.sources import SOURCES
from ingestion.tabular import RunContext, process_file
from ingestion.build_db import connect
from ingestion.working_days import write_calendar
from tests.conftest import pipeline_env, run_edukpi
from tests.fixtures.ingestion.build import build_raw

TESTS_DIR = Path(__file__).resolve().parent
FEEDBACK_HEADER = ("Mã phản ánh,Thời điểm tiếp nhận,Kênh tiếp nhận,Lĩnh vực,Họ tên người phản ánh,Số điện thoại,Email,Nội dung,"
                   "Đơn vị được giao,Thời điểm chuyển,Đơn vị trả lời,Thời điểm trả lời,Chức danh người trả lời,"
                   "Thời điểm công khai,Trạng thái")


def _settings(root: Path, **changes) -> Settings:
    return Settings(raw_dir=root / "raw", build_db=root / "build.duckdb", warehouse_db=root / "warehouse.duckdb",
                    reports_dir=root / "reports", hmac_key="test-key", **changes)


def _insert_ticket(settings: Settings, received_at: str) -> None:
    con = connect(settings.build_db)
    try:
        con.execute("insert into raw.feedback_tickets (ticket_id, received_at, source_file) values ('PA-1', ?, 'f.csv')",
                    [received_at])
    finally:
        con.close()


def _calendar(settings: Settings) -> pl.DataFrame:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return con.sql(f"select * from {CALENDAR_TABLE} order by date").pl()


# ---- 1. the working-day calendar follows the data -------------------------------------------------------------
def test_calendar_covers_every_year_of_the_data_this_year_and_next(tmp_path: Path) -> None:
    settings = _settings(tmp_path, today=dt.date(2026, 11, 30))
    _insert_ticket(settings, "2015-05-04 10:00:00")
    report = write_calendar(settings)
    calendar = _calendar(settings)
    assert (report.first_day, report.last_day) == (dt.date(2015, 1, 1), dt.date(2027, 12, 31))
    assert calendar["date"].to_list() == [dt.date(2015, 1, 1) + dt.timedelta(days=i) for i in range(calendar.height)]
    assert calendar["date"].max() == dt.date(2027, 12, 31)
    assert report.years_without_holidays == [] and report.warning is None and calendar["holidays_known"].all()
    viet_nam = holidays.VN(years=range(2015, 2028))
    by_day = dict(zip(calendar["date"], calendar["is_working_day"]))
    # Every day agrees with holidays.VN (2015 national day, Tết 2027, the 2024 make-up Saturday included).
    assert all(by_day[day] == viet_nam.is_working_day(day) for day in by_day)
    assert by_day[dt.date(2015, 9, 2)] is False and by_day[dt.date(2024, 5, 4)] is True

    # Written again after a later load: the range moves with the data and the table is replaced, not appended to.
    _insert_ticket(settings, "2019-01-02 10:00:00")
    write_calendar(settings)
    assert _calendar(settings).height == calendar.height


def test_calendar_without_data_covers_this_year_and_next(tmp_path: Path) -> None:
    settings = _settings(tmp_path, today=dt.date(2030, 6, 1))
    report = write_calendar(settings)
    assert (report.first_day, report.last_day, report.earliest_data_day) == (dt.date(2030, 1, 1), dt.date(2031, 12, 31), None)


def test_years_the_holidays_package_does_not_know_count_weekends_only_with_a_warning(tmp_path: Path) -> None:
    settings = _settings(tmp_path, today=dt.date(2026, 11, 30))
    _insert_ticket(settings, "1899-12-29 10:00:00")
    report = write_calendar(settings)
    assert report.years_without_holidays == [1899, 1900]
    assert "1899, 1900" in report.warning and "weekends only" in report.warning
    calendar = _calendar(settings)
    unknown = calendar.filter(pl.col("date") < dt.date(1901, 1, 1))
    assert unknown.height == 365 + 365 and not unknown["holidays_known"].any() and not unknown["is_holiday"].any()
    assert unknown["is_working_day"].to_list() == [d.weekday() < 5 for d in unknown["date"]]
    assert calendar.filter(pl.col("date") >= dt.date(1901, 1, 1))["holidays_known"].all()


# ---- 2. the first daily partition is a setting; earlier files are refused by name ------------------------------
def test_first_day_setting() -> None:
    assert Settings.from_env({}).first_day == DEFAULT_FIRST_DAY
    assert Settings.from_env({"EDUKPI_FIRST_DAY": "2015-03-01"}).first_day == dt.date(2015, 3, 1)
    assert Settings.from_env({"EDUKPI_FIRST_DAY": "2015-03-01"}).as_env()["EDUKPI_FIRST_DAY"] == "2015-03-01"
    with pytest.raises(ValueError, match=r"EDUKPI_FIRST_DAY='1/3/2015' is not a day; write it as yyyy-mm-dd"):
        Settings.from_env({"EDUKPI_FIRST_DAY": "1/3/2015"})


LOG_LINE = '1.2.3.4 - - [{stamp} +0700] "GET /tin-tuc/abc HTTP/1.1" 200 5123 "-" "Mozilla/5.0 (Windows NT 10.0)"\n'


def _write_log(raw: Path, day: dt.date, lines: int = 2) -> Path:
    path = raw / "analytics" / "access_logs" / "pgdquan1.hcm.edu.vn" / f"access-{day:%Y%m%d}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(LOG_LINE.format(stamp=f"{day:%d/%b/%Y}:09:{i:02d}:00") for i in range(lines)), encoding="utf-8")
    return path


def test_files_before_the_first_day_are_refused_by_name_once(tmp_path: Path) -> None:
    settings = _settings(tmp_path, first_day=dt.date(2020, 1, 1))
    early = _write_log(settings.raw_dir, dt.date(2015, 3, 1))
    _write_log(settings.raw_dir, dt.date(2024, 2, 7))
    source = SOURCES["access_log"]
    messages = refuse_files_before_first_day(settings, source)
    assert len(messages) == 1
    assert messages[0].startswith("analytics/access_logs/pgdquan1.hcm.edu.vn/access-20150301.log: the file is dated 2015-03-01")
    assert "EDUKPI_FIRST_DAY=2015-03-01" in messages[0]
    assert refuse_files_before_first_day(settings, source) == messages  # a second run records nothing new

    def refusals() -> list[tuple]:
        with duckdb.connect(str(settings.build_db), read_only=True) as con:
            return con.execute("select source_file, source_line, column_name, value, superseded_at is null from raw.quarantine "
                               "order by loaded_at").fetchall()

    assert refusals() == [("analytics/access_logs/pgdquan1.hcm.edu.vn/access-20150301.log", None, WHOLE_FILE, "2015-03-01", True)]
    assert accounting_problems(settings, source) == []
    # Removed (or re-dated into the partitions): the refusal no longer stands, its history stays.
    early.unlink()
    assert refuse_files_before_first_day(settings, source) == []
    assert [row[-1] for row in refusals()] == [False]


# ---- 4. reports render every period of the data, whatever the calendar covers -----------------------------------
def test_reports_render_periods_outside_dim_date(tmp_path: Path) -> None:
    from reports.render import render_reports
    from tests.test_reports import fixture_builder

    db = fixture_builder.build_fixture_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(db)) as con:
        quarter = con.sql("select min(period) from marts.kpi_headline where period_grain = 'quarter'").fetchone()[0]
        con.execute("delete from marts.dim_date where quarter_label = ?", [quarter])
    written = render_reports(db, tmp_path / "out")
    page = tmp_path / "out" / f"bao-cao-{quarter}.html"
    assert page in written
    year, number = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * number - 2, 1)
    assert f"Từ {start:%d/%m/%Y} đến" in page.read_text(encoding="utf-8")


# ---- 11. a mapping's time zone is honoured for times written without an offset ----------------------------------
LA_MAPPING = """
name: helpdesk_la
encoding: [utf-8]
delimiter: ","
timezone: {zone}
columns: {{ticket_id: Ticket ID, received_at: Received at, channel: Channel, category: Category,
          assigned_unit_code: Assigned unit, responded_at: Responded at, status: Status}}
formats: {{timestamp: ["%Y-%m-%d %H:%M"]}}
values: {{channel: {{Portal: Cổng thông tin}}, category: {{Admissions: Tuyển sinh}}, status: {{Answered: answered, Open: open}}}}
"""


def _la_mapping(tmp_path: Path, zone: str = "America/Los_Angeles"):
    path = tmp_path / "helpdesk_la.yaml"
    path.write_text(LA_MAPPING.format(zone=zone), encoding="utf-8")
    return load_mapping_file(path, "feedback")


def test_naive_times_are_read_in_the_mapping_zone_across_the_day_boundary(tmp_path: Path) -> None:
    """Thursday 7 March 2024, 20:30 in Los Angeles is Friday 8 March, 11:30 in Viet Nam: the ticket counts on the Friday
    (working days are counted on Vietnamese days); a time the zone skips (10 March 02:30, clocks forward) is quarantined."""
    csv = tmp_path / "helpdesk.csv"
    csv.write_text(
        "Ticket ID,Received at,Channel,Category,Assigned unit,Responded at,Status\n"
        "LA-1,2024-03-07 20:30,Portal,Admissions,PGD_Q1,2024-03-08 01:00,Answered\n"
        "LA-2,2024-03-10 02:30,Portal,Admissions,PGD_Q1,,Open\n",
        encoding="utf-8",
    )
    result = process_file(SOURCES["feedback"], csv, "feedback/helpdesk.csv", "fp", RunContext(dt.datetime(2026, 1, 1)),
                          mappings=(_la_mapping(tmp_path),))
    loaded = result.loaded.select("ticket_id", "received_at", "responded_at").rows()
    assert loaded == [("LA-1", dt.datetime(2024, 3, 8, 11, 30), dt.datetime(2024, 3, 8, 16, 0))]
    # Received and answered on the same Vietnamese working day (Friday): 0 working days, not 1 as a Thursday receipt.
    assert loaded[0][1].date() == loaded[0][2].date() == dt.date(2024, 3, 8)
    reasons = result.quarantined["reason"].to_list()
    assert len(reasons) == 1 and "'2024-03-10 02:30' is not a time that exists in America/Los_Angeles" in reasons[0]


def test_a_mapping_with_an_unknown_time_zone_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"helpdesk_la.yaml: timezone 'America/Los Angeles' is not a time zone name"):
        _la_mapping(tmp_path, zone="America/Los Angeles")


# ---- pipeline runs on foreign deliveries ---------------------------------------------------------------------
def _section_text(page: Path, section_id: str) -> str:
    html = page.read_text(encoding="utf-8")
    match = re.search(rf'<section[^>]*id="{section_id}"[^>]*>(.*?)</section>', html, flags=re.S)
    assert match, f"{page.name} has no section {section_id}"
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", match.group(1), flags=re.S))
    return " ".join(unescape(text).split())


def _materialize(root: Path) -> tuple[Settings, str]:
    settings, env = pipeline_env(root)
    env["EDUKPI_HMAC_KEY"] = "test-key"
    built = run_edukpi(["materialize"], env)
    log = built.stdout + built.stderr
    assert built.returncode == 0, log[-8000:]
    return settings, log


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_2015_export_builds_with_its_calendar_and_reports(tmp_path: Path) -> None:
    """Feedback of 2015 and an access log of 2015 beside one of 2024: the 2015 log is refused by name (it is before the
    first daily partition), everything else loads, 2015 tickets get working days, and 2015Q2 has its report."""
    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    (raw / "feedback" / "phan_anh_2015Q2.csv").write_text(
        FEEDBACK_HEADER + "\n"
        "PA-2015-1,2015-04-27 09:00:00,Cổng thông tin,Tuyển sinh,,,,Hỏi tuyển sinh lớp 10,PGD_Q1,,PGD_Q1,2015-05-05 10:00:00,,,Đã trả lời\n"
        "PA-2015-2,2015-06-10 14:00:00,Email,Thi cử,,,,Hỏi lịch thi,PGD_Q3,,PGD_Q3,2015-06-12 08:00:00,,,Đã trả lời\n"
        "PA-2015-3,2015-06-25 16:00:00,Cổng thông tin,Khác,,,,Chưa trả lời,PGD_Q1,,,,,,Đang xử lý\n",
        encoding="utf-8")
    _write_log(raw, dt.date(2015, 3, 1))
    _write_log(raw, dt.date(2024, 2, 7))
    settings, log = _materialize(tmp_path)

    assert "analytics/access_logs/pgdquan1.hcm.edu.vn/access-20150301.log: the file is dated 2015-03-01" in log
    assert "EDUKPI_FIRST_DAY=2015-03-01" in log
    build = settings.build_db
    assert _query(build, "select source_file, column_name from raw.quarantine where superseded_at is null") == [
        ("analytics/access_logs/pgdquan1.hcm.edu.vn/access-20150301.log", WHOLE_FILE)]
    assert _query(build, "select source_file, count(*) from raw.access_log_hits group by 1") == [
        ("analytics/access_logs/pgdquan1.hcm.edu.vn/access-20240207.log", 2)]

    warehouse = settings.warehouse_db
    today = dt.date.today()
    assert _query(warehouse, "select min(date), max(date) from marts.dim_date") == [
        (dt.date(2015, 1, 1), dt.date(today.year + 1, 12, 31))]
    tickets = dict(_query(warehouse, "select ticket_id, working_days_to_response from marts.fct_feedback_tickets"))
    viet_nam = holidays.VN(years=[2015])

    def working_days(received: dt.date, answered: dt.date) -> int:
        return sum(viet_nam.is_working_day(received + dt.timedelta(days=i)) for i in range(1, (answered - received).days + 1))

    # 27/4/2015 → 5/5/2015: Hùng Kings 28/4, 29/4 (off in place of Saturday 25/4), 30/4 and 1/5 off: only 4/5 and 5/5.
    assert tickets == {"PA-2015-1": working_days(dt.date(2015, 4, 27), dt.date(2015, 5, 5)),
                       "PA-2015-2": working_days(dt.date(2015, 6, 10), dt.date(2015, 6, 12)), "PA-2015-3": None}
    assert tickets["PA-2015-1"] == 2
    assert _query(warehouse, "select open_age_working_days from marts.fct_feedback_tickets where ticket_id = 'PA-2015-3'") == [(0,)]

    page = settings.reports_dir / "bao-cao-2015Q2.html"
    assert page.is_file()
    assert "Chưa có dữ liệu" in _section_text(page, "chi-tieu")  # no submission list delivered


def test_feedback_alone_builds_empty_portal_marts_and_says_no_data(tmp_path: Path) -> None:
    """No analytics file at all (the build used to fail: 'Table with name stg_raw__ga4_events does not exist')."""
    raw = build_raw(tmp_path / "raw", sample=False)
    for folder in ("analytics", "submissions"):
        shutil.rmtree(raw / folder)
    settings, _ = _materialize(tmp_path)
    warehouse = settings.warehouse_db
    assert _query(warehouse, "select count(*) from marts.fct_portal_daily") == [(0,)]
    assert _query(warehouse, "select count(*) from marts.kpi_portal_monthly") == [(0,)]
    assert _query(warehouse, "select count(*) from marts.fct_feedback_tickets")[0][0] > 0
    page = settings.reports_dir / "bao-cao-2024Q1.html"
    assert "Chưa có dữ liệu" in _section_text(page, "cong-thong-tin")
    assert "Chưa có dữ liệu" in _section_text(page, "xuat-ban")
    assert "Chưa có dữ liệu" not in _section_text(page, "phan-anh")


def test_analytics_alone_builds_and_the_feedback_section_says_no_data(tmp_path: Path) -> None:
    raw = build_raw(tmp_path / "raw", sample=False)
    for folder in ("feedback", "submissions", "analytics/page_reports"):
        shutil.rmtree(raw / folder)
    settings, _ = _materialize(tmp_path)
    warehouse = settings.warehouse_db
    assert _query(warehouse, "select count(*) from marts.fct_feedback_tickets") == [(0,)]
    assert _query(warehouse, "select count(*) from marts.fct_portal_daily")[0][0] > 0
    page = settings.reports_dir / "bao-cao-2024Q1.html"
    feedback = _section_text(page, "phan-anh")
    assert "Chưa có dữ liệu" in feedback and "Không có phản ánh tồn đọng" not in feedback
    assert "Chưa có dữ liệu" in _section_text(page, "chi-tieu")
