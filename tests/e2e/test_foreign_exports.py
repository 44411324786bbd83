"""Exports from systems the project has never seen (tests/foreign_exports/), end to end through `edukpi materialize`,
with only what an analyst can do without code: mappings in a mappings folder, lines added to the reference CSVs, and
settings (docs/data-contracts.md, "Bringing a new export").

The corpus: a US city's service-request log (MM/DD/YYYY hh:mm:ss AM/PM in America/New_York, agencies the registry does
not know, topics of its own, requests from 2015 and 2027, a day-first date, a 7-digit phone number), a 30-day page
report with no date or host column (CRLF line ends, no final newline), and a combined log of another site (an exact
duplicate line, a line cut short in its user agent, a bot, a static file).
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import holidays
import pytest

from edukpi.settings import DEFAULT_REFERENCE_DIR, PROJECT_ROOT
from tests.conftest import pipeline_env, run_edukpi

CORPUS = Path(__file__).resolve().parents[1] / "foreign_exports"
CITY_ZONE = ZoneInfo("America/New_York")
VIET_NAM = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.xdist_group("foreign_exports")  # one build for the module, on one worker
TODAY = dt.date(2027, 3, 31)  # EDUKPI_TODAY: the 2027 requests are not "in the future" whatever the clock says


def _reference_with_additions(folder: Path) -> Path:
    """The shipped reference CSVs plus the corpus's lines, as an analyst adds them (the folder must be inside the
    project: dbt reads it as its seed path)."""
    shutil.copytree(DEFAULT_REFERENCE_DIR, folder)
    for addition in (CORPUS / "reference").glob("*.additions.csv"):
        target = folder / addition.name.replace(".additions", "")
        lines = addition.read_text(encoding="utf-8").splitlines()[1:]
        target.write_text(target.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def foreign_build(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("foreign")
    shutil.copytree(CORPUS / "raw", root / "raw")
    (PROJECT_ROOT / "data" / "build").mkdir(parents=True, exist_ok=True)
    reference_root = Path(tempfile.mkdtemp(prefix="foreign-reference-", dir=PROJECT_ROOT / "data" / "build"))
    try:
        settings, env = pipeline_env(root)
        env.update({
            "EDUKPI_HMAC_KEY": "foreign-test-key",
            "EDUKPI_LOCAL_MAPPINGS_DIR": str(CORPUS / "mappings"),
            "EDUKPI_REFERENCE_DIR": str(_reference_with_additions(reference_root / "reference")),
            "EDUKPI_FIRST_DAY": "2015-01-01",
            "EDUKPI_TODAY": TODAY.isoformat(),
        })
        built = run_edukpi(["materialize"], env)
        log = built.stdout + built.stderr
        assert built.returncode == 0, log[-8000:]
        yield settings, log
    finally:
        shutil.rmtree(reference_root, ignore_errors=True)


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_row_read_is_loaded_or_quarantined(foreign_build) -> None:
    settings, _ = foreign_build
    ledger = _rows(settings.build_db, "select source_file, rows_read, rows_loaded, rows_quarantined from raw.ingested_files "
                                      "order by source_file")
    assert [row[0] for row in ledger] == [
        "analytics/access_logs/www.parks-example.gov/access-20250601.log",
        "analytics/page_reports/parks_pages_20250501-20250530.csv",
        "feedback/city_requests_export.csv",
    ]
    for source_file, read, loaded, quarantined in ledger:
        assert read == loaded + quarantined, source_file
        current = _rows(settings.build_db, "select count(distinct source_line) from raw.quarantine "
                                           "where source_file = ? and superseded_at is null", [source_file])[0][0]
        assert current == quarantined, source_file
    by_file = {row[0]: row[1:] for row in ledger}
    # 8 requests: the day-first date and the 7-digit phone number are quarantined, the rest load (2015 and 2027 alike)
    assert by_file["feedback/city_requests_export.csv"] == (8, 6, 2)
    # the 30-day report's 3 lines (CRLF, no final newline: the last line is not lost)
    assert by_file["analytics/page_reports/parks_pages_20250501-20250530.csv"] == (3, 3, 0)
    # 6 log lines: the exact duplicate and the line cut short are quarantined
    assert by_file["analytics/access_logs/www.parks-example.gov/access-20250601.log"] == (6, 4, 2)
    reasons = dict(_rows(settings.build_db, "select source_line, reason from raw.quarantine where superseded_at is null "
                                            "and source_file = 'feedback/city_requests_export.csv'"))
    assert "13/05/2027" in reasons[9] and "%m/%d/%Y" not in reasons[9]  # said in words: mm/dd/yyyy
    assert "phone" in reasons[6]


def test_agencies_the_registry_lacked_load_once_added_to_the_reference_csv(foreign_build) -> None:
    settings, _ = foreign_build
    units = dict(_rows(settings.warehouse_db, "select unit_code, count(*) from marts.fct_feedback_tickets group by 1"))
    assert units == {"PARKS": 3, "TRANSIT": 3}
    assert _rows(settings.warehouse_db, "select unit_type from marts.dim_unit where unit_code = 'PARKS'") == [("city_agency",)]


def test_the_source_vocabulary_is_kept_beside_the_canonical_one(foreign_build) -> None:
    settings, _ = foreign_build
    tickets = {row[0]: row[1:] for row in _rows(
        settings.warehouse_db, "select ticket_id, category, source_category, channel, source_channel from marts.fct_feedback_tickets")}
    assert tickets["SR-2015-0001"] == ("Khác", "Tree trimming", "Cổng thông tin", "Web form")
    assert tickets["SR-2024-0107"][:2] == ("Khiếu nại", "Noise complaint")  # mapped by the mapping's values:
    unmapped = _rows(settings.build_db, "select values_unmapped from raw.ingested_files where source = 'feedback'")[0][0]
    # one per loaded ticket whose topic no mapping line knows: Tree trimming twice, Bus schedule, Playground, Accessibility
    assert unmapped == 5


def _working_days(received: dt.datetime, answered: dt.datetime) -> int:
    """Independent count: Vietnamese working days in (received day, answer day], both days in Viet Nam's time."""
    first, last = received.date(), answered.date()
    viet_nam = holidays.VN(years=range(first.year, last.year + 1))
    return sum(viet_nam.is_working_day(first + dt.timedelta(days=i)) for i in range(1, (last - first).days + 1))


def _in_viet_nam(us_text: str) -> dt.datetime:
    local = dt.datetime.strptime(us_text, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=CITY_ZONE)
    return local.astimezone(VIET_NAM).replace(tzinfo=None)


def test_times_are_read_in_the_mapping_zone_and_working_days_counted_in_viet_nam(foreign_build) -> None:
    settings, _ = foreign_build
    tickets = {row[0]: row[1:] for row in _rows(
        settings.warehouse_db,
        "select ticket_id, received_at, responded_at, working_days_to_response from marts.fct_feedback_tickets")}
    expected = {
        "SR-2015-0001": ("04/27/2015 09:15:00 AM", "05/05/2015 10:00:00 AM"),
        "SR-2015-0002": ("06/10/2015 02:40:00 PM", "06/12/2015 08:05:00 AM"),
        # 23:50 on New Year's Eve in New York is 1 January 2016, 11:50, in Viet Nam: a holiday, the next year
        "SR-2015-0003": ("12/31/2015 11:50:00 PM", "01/04/2016 09:00:00 AM"),
        "SR-2024-0107": ("03/01/2024 08:30:00 PM", "03/04/2024 04:00:00 PM"),
        "SR-2027-0002": ("01/05/2027 03:00:00 PM", "01/06/2027 09:30:00 AM"),
    }
    for ticket_id, (received, answered) in expected.items():
        received_vn, answered_vn = _in_viet_nam(received), _in_viet_nam(answered)
        assert tickets[ticket_id][:2] == (received_vn, answered_vn), ticket_id
        assert tickets[ticket_id][2] == _working_days(received_vn, answered_vn), ticket_id
    assert tickets["SR-2015-0003"][0] == dt.datetime(2016, 1, 1, 11, 50)
    assert tickets["SR-2027-0001"][1] is None  # open
    calendar = _rows(settings.warehouse_db, "select min(date), max(date) from marts.dim_date")[0]
    assert calendar == (dt.date(2015, 1, 1), dt.date(TODAY.year + 1, 12, 31))


def test_a_30_day_report_stays_at_its_grain(foreign_build) -> None:
    settings, _ = foreign_build
    site = "www.parks-example.gov"
    daily_in_may = _rows(settings.warehouse_db, "select count(*) from marts.fct_portal_daily where site = ? and period_days = 1 "
                                                "and date between '2025-05-01' and '2025-05-31'", [site])
    assert daily_in_may == [(0,)]  # a 30-day total is never stamped on one day
    period_rows = _rows(settings.warehouse_db, "select date, period_end, period_days, pageviews from marts.fct_portal_daily "
                                               "where site = ? and period_days > 1", [site])
    assert period_rows == [(dt.date(2025, 5, 1), dt.date(2025, 5, 30), 30, 5120 + 812 + 300)]
    monthly = dict(_rows(settings.warehouse_db, "select month, pageviews from marts.kpi_portal_monthly where site = ?", [site]))
    # June: the log's page views by the dbt rule (GET 200, not a bot, not a static file): lines 1 and 3
    assert monthly == {"2025-05": 6232, "2025-06": 2}


def test_long_numeric_ids_in_paths_are_not_masked_or_merged(foreign_build) -> None:
    settings, _ = foreign_build
    paths = {row[0] for row in _rows(settings.warehouse_db, "select page_path from marts.kpi_portal_top_pages where month = '2025-05'")}
    assert {"/news/summer-camp-2025-registration-38990", "/news/summer-camp-2025-registration-41235"} <= paths


def test_reports_cover_the_periods_of_the_data(foreign_build) -> None:
    settings, _ = foreign_build
    for period in ("2015Q2", "2016Q1", "2025Q2", "2027Q1"):
        assert (settings.reports_dir / f"bao-cao-{period}.html").is_file(), period
