"""Press marts on the tiny build agree with the same figures recomputed in Python from the raw register exports."""
from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections import defaultdict
from pathlib import Path

import duckdb
import holidays
import polars as pl
import pytest

from tests.conftest import BuiltPipeline

# The sample register's headers and urgency words (an independent copy of the mapping).
URGENCY = {"Thường": "normal", "Bình thường": "normal", "Sự kiện nóng": "hot_event", "Khẩn": "hot_event"}


def query(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).pl()


def moment(text: str | None) -> dt.datetime | None:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S") if text else None


def requests(raw: Path) -> dict[str, dict]:
    """One row per request: an answered copy wins over an open one, then the later times, file and line."""
    copies = []
    for path in sorted((raw / "press").glob("requests*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                copies.append({"id": row["Mã yêu cầu"], "unit": row["Đơn vị được giao"],
                               "urgency": URGENCY[row["Mức độ"]], "received": moment(row["Thời điểm tiếp nhận"]),
                               "answered": moment(row["Thời điểm trả lời"]), "file": path.name, "line": line})
    kept: dict[str, dict] = {}
    for row in copies:
        rank = (row["answered"] is not None, max(t for t in (row["answered"], row["received"]) if t), row["file"],
                row["line"])
        if row["id"] not in kept or rank > kept[row["id"]]["rank"]:
            kept[row["id"]] = {**row, "rank": rank}
    return kept


def deadline_rules(reference_csv: Path) -> list[dict]:
    with reference_csv.open(encoding="utf-8", newline="") as handle:
        return [{**r, "valid_from": dt.date.fromisoformat(r["valid_from"]),
                 "valid_to": dt.date.fromisoformat(r["valid_to"]) if r["valid_to"] else dt.date.max,
                 "deadline_value": int(r["deadline_value"])} for r in csv.DictReader(handle)]


def working_days_between(start: dt.date, end: dt.date, vn: holidays.HolidayBase) -> int:
    """Working days in (start, end]: the day of receipt not counted."""
    return sum(vn.is_working_day(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


@pytest.fixture(scope="module")
def expected(built_pipeline: BuiltPipeline) -> dict[str, dict]:
    from edukpi.settings import DEFAULT_REFERENCE_DIR

    rules = deadline_rules(DEFAULT_REFERENCE_DIR / "press_deadlines.csv")
    vn = holidays.VN(years=range(2023, 2027))
    rows = requests(built_pipeline.settings.raw_dir)
    as_of = max(max(t for t in (r["received"], r["answered"]) if t) for r in rows.values())
    for row in rows.values():
        rule = next(r for r in rules if r["urgency"] == row["urgency"]
                    and r["valid_from"] <= row["received"].date() <= r["valid_to"])
        row["deadline"] = (rule["deadline_value"], rule["deadline_unit"])
        if row["answered"] is None:
            row.update(hours=None, working_days=None, within=None,
                       open_age=working_days_between(row["received"].date(), as_of.date(), vn))
            age_hours = (as_of - row["received"]).total_seconds() / 3600
            row["overdue"] = (age_hours if rule["deadline_unit"] == "hours" else row["open_age"]) > rule["deadline_value"]
            continue
        row["hours"] = (row["answered"] - row["received"]).total_seconds() / 3600
        row["working_days"] = working_days_between(row["received"].date(), row["answered"].date(), vn)
        measured = row["hours"] if rule["deadline_unit"] == "hours" else row["working_days"]
        row.update(within=measured <= rule["deadline_value"], open_age=None, overdue=False)
    return rows


def test_each_request_once_with_the_deadline_in_force(built_pipeline: BuiltPipeline, expected: dict[str, dict]) -> None:
    mart = {r["request_id"]: r for r in query(built_pipeline.settings.warehouse_db,
                                               "select * from marts.fct_press_requests").iter_rows(named=True)}
    assert set(mart) == set(expected)
    copies = sum(1 for p in (built_pipeline.settings.raw_dir / "press").glob("requests*.csv")
                 for _ in p.open(encoding="utf-8-sig")) - 3
    assert copies > len(expected), "the sample must list some requests in two exports (open, then answered)"
    assert {e["urgency"] for e in expected.values()} == {"normal", "hot_event"}
    assert any(e["within"] is False for e in expected.values()) and any(e["within"] for e in expected.values())
    wrong = [(rid, m["within_deadline"], e["within"], m["working_days_to_answer"], e["working_days"])
             for rid, e in expected.items() for m in [mart[rid]]
             if (m["within_deadline"], m["working_days_to_answer"], (m["deadline_value"], m["deadline_unit"]),
                 m["is_overdue"], m["open_age_working_days"]) != (e["within"], e["working_days"], e["deadline"],
                                                                  e["overdue"], e["open_age"])
             or (e["hours"] is not None and abs(m["hours_to_answer"] - e["hours"]) > 1e-6)]
    assert not wrong, wrong[:5]


def test_quarterly_response_per_unit(built_pipeline: BuiltPipeline, expected: dict[str, dict]) -> None:
    groups: dict[tuple[str, str | None], list[dict]] = defaultdict(list)
    for row in expected.values():
        quarter = f"{row['received'].year}Q{(row['received'].month - 1) // 3 + 1}"
        groups[(quarter, row["unit"])].append(row)
        groups[(quarter, None)].append(row)
    mart = {(r["period"], r["unit_code"]): r for r in query(
        built_pipeline.settings.warehouse_db,
        "select * from marts.kpi_press_response where period_grain = 'quarter'").iter_rows(named=True)}
    assert set(mart) == set(groups)
    for key, rows in groups.items():
        answered = [r for r in rows if r["answered"] is not None]
        within = sum(bool(r["within"]) for r in answered)
        pct = round(100.0 * within / len(answered), 1) if answered else None
        hours = [r["hours"] for r in answered]
        got = mart[key]
        assert (got["received_count"], got["answered_count"], got["answered_within_deadline_count"],
                got["answered_within_deadline_pct"], got["open_overdue_count"]) == (
            len(rows), len(answered), within, pct, sum(r["overdue"] for r in rows)), key
        if hours:
            assert got["median_hours_to_answer"] == pytest.approx(statistics.median(hours)), key


def roster(raw: Path) -> tuple[dict[tuple[str, dt.date], dt.date | None], dt.date]:
    """{(unit, first day): last day or None} from the latest roster listing each assignment, and the latest roster day."""
    kept: dict[tuple[str, dt.date], tuple[dt.date, dt.date | None]] = {}
    for path in sorted((raw / "officers").glob("*.csv")):
        drawn_up = dt.date.fromisoformat(path.stem[-10:])
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                first = dt.datetime.strptime(row["Từ ngày"], "%d/%m/%Y").date()
                last = dt.datetime.strptime(row["Đến ngày"], "%d/%m/%Y").date() if row["Đến ngày"] else None
                key = (row["Đơn vị"], first)
                if key not in kept or drawn_up >= kept[key][0]:
                    kept[key] = (drawn_up, last)
    as_of = max(day for day, _ in kept.values())
    return {key: last for key, (_, last) in kept.items()}, as_of


def test_officer_coverage_per_quarter(built_pipeline: BuiltPipeline) -> None:
    from edukpi.settings import DEFAULT_REFERENCE_DIR

    assignments, as_of = roster(built_pipeline.settings.raw_dir)
    with (DEFAULT_REFERENCE_DIR / "officer_required_unit_types.csv").open(encoding="utf-8") as handle:
        required = {r["unit_type"] for r in csv.DictReader(handle) if r["officer_required"] == "true"}
    with (DEFAULT_REFERENCE_DIR / "unit_registry.csv").open(encoding="utf-8") as handle:
        units = {r["unit_code"]: (dt.date.fromisoformat(r["valid_from"]),
                                  dt.date.fromisoformat(r["valid_to"]) if r["valid_to"] else as_of)
                 for r in csv.DictReader(handle) if r["unit_type"] in required}
    first = min(start for _, start in assignments)
    starts_by_unit: dict[str, list[dt.date]] = defaultdict(list)
    for unit, start in assignments:
        starts_by_unit[unit].append(start)
    changes = {(unit, start) for unit, starts in starts_by_unit.items() for start in sorted(starts)[1:]}

    def covered(unit: str, day: dt.date) -> bool:
        return any(u == unit and start <= day <= (last or as_of) for (u, start), last in assignments.items())

    expected: dict[str, dict] = {}
    day = first
    while day <= as_of:
        quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
        figures = expected.setdefault(quarter, {"days": 0, "covered": 0, "changes": 0, "last": {}})
        for unit, (valid_from, valid_to) in units.items():
            if valid_from <= day <= min(valid_to, as_of):
                has = covered(unit, day)
                figures["days"] += 1
                figures["covered"] += has
                figures["changes"] += (unit, day) in changes
                figures["last"][unit] = has
        day += dt.timedelta(days=1)
    mart = {r["period"]: r for r in query(
        built_pipeline.settings.warehouse_db,
        "select * from marts.kpi_officer_coverage where period_grain = 'quarter' and unit_code is null").iter_rows(named=True)}
    assert set(mart) == set(expected)
    assert sum(f["changes"] for f in expected.values()) > 0, "the sample must hold changes of officer"
    for quarter, figures in expected.items():
        got = mart[quarter]
        with_officer = sum(figures["last"].values())
        assert (got["existing_days"], got["covered_days"], got["changes_count"], got["units_count"],
                got["units_with_officer_count"]) == (figures["days"], figures["covered"], figures["changes"],
                                                     len(figures["last"]), with_officer), quarter
    assert any(len(f["last"]) > sum(f["last"].values()) for f in expected.values()), "some units lack an officer"


TONES = {"Tích cực": "positive", "Trung lập": "neutral", "Trung tính": "neutral", "Tiêu cực": "negative"}
EVENT_TYPES = {"Họp báo": "press_conference", "Hội thảo": "seminar", "Hội nghị": "seminar", "Tọa đàm": "talk",
               "Toạ đàm": "talk", "Livestream": "livestream", "Phát trực tiếp": "livestream"}


def read_rows(raw: Path, pattern: str) -> list[dict]:
    rows = []
    for path in sorted((raw / "press").glob(pattern)):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def test_coverage_per_month_tone_and_outlet(built_pipeline: BuiltPipeline) -> None:
    articles = {r["Đường dẫn"]: r for r in read_rows(built_pipeline.settings.raw_dir, "coverage*.csv")}
    expected: dict[tuple[str, str | None], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in articles.values():
        day = dt.datetime.strptime(row["Ngày đăng"], "%d/%m/%Y").date()
        for outlet in (row["Cơ quan báo chí"], None):
            expected[(f"{day:%Y-%m}", outlet)][TONES[row["Sắc thái"]]] += 1
    mart = {(r["month"], r["outlet"]): r for r in query(
        built_pipeline.settings.warehouse_db, "select * from marts.kpi_press_coverage").iter_rows(named=True)}
    assert set(mart) == set(expected)
    assert any(counts["negative"] for counts in expected.values())
    for key, counts in expected.items():
        got = mart[key]
        assert (got["positive_articles"], got["neutral_articles"], got["negative_articles"], got["articles"]) == (
            counts["positive"], counts["neutral"], counts["negative"], sum(counts.values())), key


def test_events_per_quarter_type_and_leadership(built_pipeline: BuiltPipeline) -> None:
    from edukpi.settings import DEFAULT_REFERENCE_DIR

    with (DEFAULT_REFERENCE_DIR / "press_leadership_titles.csv").open(encoding="utf-8") as handle:
        leadership = {r["title"].strip().lower() for r in csv.DictReader(handle) if r["is_leadership"] == "true"}
    expected: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in read_rows(built_pipeline.settings.raw_dir, "events*.csv"):
        day = dt.datetime.strptime(row["Ngày"], "%d/%m/%Y").date()
        quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
        for kind in (EVENT_TYPES[row["Hình thức"]], None):
            figures = expected[(quarter, kind)]
            figures[0] += 1
            figures[1] += row["Người chủ trì (chức danh)"].strip().lower() in leadership
            figures[2] += int(row["Số người tham dự"] or 0)
    mart = {(r["quarter"], r["event_type"]): [r["events"], r["leadership_led_events"], r["attendance_total"]]
            for r in query(built_pipeline.settings.warehouse_db, "select * from marts.kpi_press_events").iter_rows(named=True)}
    assert mart == dict(expected)
    assert 0 < sum(v[1] for k, v in expected.items() if k[1] is None) < sum(v[0] for k, v in expected.items() if k[1] is None)


def test_journalists_and_officers_never_stored_or_shown(built_pipeline: BuiltPipeline) -> None:
    """Names of journalists and officers reach no text column of the build file or the warehouse, and no report."""
    from tests.e2e.test_reliability import text_columns

    settings = built_pipeline.settings
    names = {r["Phóng viên"] for r in read_rows(settings.raw_dir, "requests*.csv") if r["Phóng viên"]}
    for path in sorted((settings.raw_dir / "officers").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            names |= {r["Cán bộ phụ trách truyền thông"] for r in csv.DictReader(handle)}
    assert len(names) > 50
    findings = []
    for db in (settings.build_db, settings.warehouse_db):
        for column, values in text_columns(db).items():
            # Bylines of articles are public and drawn from the same pool of invented names.
            if column.endswith(".author"):
                continue
            text = "\n".join(values)
            findings += [f"{db.name}:{column}: {n}" for n in names if n in text][:3]
    for report in sorted(p for p in settings.reports_dir.rglob("*.html")):
        text = report.read_text(encoding="utf-8")
        findings += [f"{report.name}: {n}" for n in names if n in text][:3]
    assert not findings, findings[:20]
    # the keys are there, one per distinct name
    keys = query(settings.build_db, "select count(distinct officer_key) as n from raw.officer_roster")["n"][0]
    assert keys > 50
