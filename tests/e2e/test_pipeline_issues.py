"""Social listening, incidents and the divisions' monthly reports on the tiny build agree with the same figures
recomputed in Python from the raw files (and the reference values the build used)."""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import holidays
import polars as pl
import pytest

from tests.conftest import BuiltPipeline

# The sample exports' headers, as contract fields (an independent copy of the two mappings).
LISTENING_HEADERS = {
    "Date": "date", "Ngày": "date", "URL": "url", "Đường dẫn": "url", "Source": "kind", "Loại nguồn": "kind",
    "Sentiment": "sentiment", "Sắc thái": "sentiment", "Reach": "reach", "Lượt tiếp cận": "reach",
    "Engagement": "engagement", "Tương tác": "engagement",
}
KINDS = {"Online News": "news", "Báo điện tử": "news", "Facebook": "facebook", "Forums": "forum", "Diễn đàn": "forum",
         "Blogs": "blog", "Blog": "blog", "YouTube": "video", "Podcasts": "other", "Khác": "other"}
SENTIMENTS = {"Positive": "positive", "Tích cực": "positive", "Neutral": "neutral", "Trung lập": "neutral",
              "Negative": "negative", "Tiêu cực": "negative", "Not Rated": "not_rated", "Chưa đánh giá": "not_rated"}
TIME_FORMAT = "%d/%m/%Y %H:%M"


def query(db: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).pl().to_dicts()


def half_up(hours: float) -> float:
    """Rounded to 0.1 h as SQL rounds (halves away from zero), not as Python's round (halves to even)."""
    return float(Decimal(str(hours)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def quarter(day: dt.date | dt.datetime) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@pytest.fixture(scope="module")
def raw(built_pipeline: BuiltPipeline) -> Path:
    return built_pipeline.settings.raw_dir


@pytest.fixture(scope="module")
def warehouse(built_pipeline: BuiltPipeline) -> Path:
    return built_pipeline.settings.warehouse_db


@pytest.fixture(scope="module")
def mentions(raw: Path) -> dict[str, dict]:
    """One mention per URL: the copy with the most engagement, then reach, then the latest day, file, line."""
    best: dict[str, tuple] = {}
    for path in sorted((raw / "listening").glob("*.csv")):
        frame = pl.read_csv(path, infer_schema=False)
        frame = frame.rename({k: v for k, v in LISTENING_HEADERS.items() if k in frame.columns})
        for line, row in enumerate(frame.iter_rows(named=True), start=2):
            day = (dt.datetime.strptime(row["date"], "%d/%m/%Y") if "/" in row["date"]
                   else dt.datetime.strptime(row["date"], "%d-%b-%Y")).date()
            url = row["url"].strip().rstrip("/")
            rank = (int(row["engagement"] or -1), int(row["reach"] or -1), day, path.relative_to(raw).as_posix(), line)
            mention = {"day": day, "kind": KINDS[row["kind"]], "sentiment": SENTIMENTS[row["sentiment"]]}
            if url not in best or rank > best[url][0]:
                best[url] = (rank, mention)
    return {url: mention for url, (_, mention) in best.items()}


@pytest.fixture(scope="module")
def spikes(mentions: dict[str, dict], warehouse: Path) -> dict[dt.date, int]:
    """Spike days (mentions per day) by the rule and the reference values the build used."""
    ref = query(warehouse, "select * from reference.listening_reference")[0]
    per_day = Counter(m["day"] for m in mentions.values())
    first, last = min(per_day), max(per_day)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    found = {}
    for i, day in enumerate(days):
        window = [per_day.get(d, 0) for d in days[max(0, i - ref["spike_window_days"]):i]]
        if len(window) < ref["spike_window_days"]:
            continue
        count = per_day.get(day, 0)
        if count >= ref["spike_factor"] * statistics.median(window) and count >= ref["spike_min_mentions"]:
            found[day] = count
    return found


@pytest.fixture(scope="module")
def incidents(raw: Path) -> dict[str, dict]:
    """One record per incident: resolved over not, responded over not, then the latest time, file, line."""
    best: dict[str, tuple] = {}
    for path in sorted((raw / "incidents").glob("*.csv")):
        for line, row in enumerate(pl.read_csv(path, infer_schema=False).iter_rows(named=True), start=2):
            times = {key: dt.datetime.strptime(row[col], TIME_FORMAT) if row[col] else None
                     for key, col in (("detected", "Thời điểm phát hiện"), ("response", "Phản hồi đầu tiên"),
                                      ("resolved", "Thời điểm kết thúc"))}
            rank = (times["resolved"] is not None, times["response"] is not None,
                    max(t for t in times.values() if t is not None), path.name, line)
            if row["Mã sự cố"] not in best or rank > best[row["Mã sự cố"]][0]:
                best[row["Mã sự cố"]] = (rank, times)
    return {key: times for key, (_, times) in best.items()}


def test_mentions_per_day_type_and_sentiment(mentions: dict[str, dict], warehouse: Path) -> None:
    detail = Counter((m["day"], m["kind"], m["sentiment"]) for m in mentions.values())
    rows = query(warehouse, "select * from marts.kpi_listening_daily")
    built = {(r["mention_date"], r["source_type"], r["sentiment"]): r["mention_count"] for r in rows
             if r["source_type"] is not None}
    assert built == dict(detail)
    per_day = Counter(m["day"] for m in mentions.values())
    totals = {r["mention_date"]: r["mention_count"] for r in rows if r["source_type"] is None}
    assert {d: n for d, n in totals.items() if n} == dict(per_day)
    assert len(totals) == (max(per_day) - min(per_day)).days + 1, "every day of the range, quiet days with 0"
    overlap = sum(1 for r in query(warehouse, "select copies_count from marts.fct_listening_mentions")
                  if r["copies_count"] > 1)
    assert overlap > len(mentions) / 4, "the sample's weekly exports overlap (ten days every week)"


def test_spike_days_follow_the_reference_rule(spikes: dict[dt.date, int], warehouse: Path) -> None:
    built = {r["mention_date"]: r["mention_count"] for r in
             query(warehouse, "select * from marts.kpi_listening_daily where source_type is null and is_spike")}
    assert built == spikes
    assert len(spikes) >= 5, "the tiny sample has a story every few weeks"


def test_incident_times_and_unreviewed_spikes_per_quarter(incidents: dict[str, dict], spikes: dict[dt.date, int],
                                                         warehouse: Path) -> None:
    match_days = query(warehouse, "select incident_match_days from reference.listening_reference")[0]["incident_match_days"]
    detected_days = [t["detected"].date() for t in incidents.values()]
    by_quarter: dict[str, dict] = defaultdict(lambda: {"n": 0, "response": [], "resolution": [], "spikes": 0, "alone": 0})
    for times in incidents.values():
        q = by_quarter[quarter(times["detected"])]
        q["n"] += 1
        for key, name in (("response", "response"), ("resolved", "resolution")):
            if times[key] is not None:
                q[name].append(half_up((times[key] - times["detected"]).total_seconds() / 3600))
    for day in spikes:
        q = by_quarter[quarter(day)]
        q["spikes"] += 1
        q["alone"] += not any(day <= d <= day + dt.timedelta(days=match_days) for d in detected_days)
    built = {r["quarter"]: r for r in query(warehouse, "select * from marts.kpi_incidents")}
    assert set(built) == set(by_quarter)
    for label, q in by_quarter.items():
        row = built[label]
        assert (row["incident_count"], row["spike_days"], row["spikes_without_incident"]) == (q["n"], q["spikes"], q["alone"])
        for name in ("response", "resolution"):
            column = "median_hours_to_first_response" if name == "response" else "median_hours_to_resolution"
            expected = half_up(statistics.median(q[name])) if q[name] else None
            assert row[column] == expected, (label, column, q[name])
    assert sum(q["alone"] for q in by_quarter.values()) >= 1, "some spikes never became an incident"
    assert sum(q["spikes"] - q["alone"] for q in by_quarter.values()) >= 1


def _deadline(month: dt.date, nth: int) -> dt.date:
    viet_nam = holidays.VN(years=range(month.year, month.year + 2))
    day = (month + dt.timedelta(days=32)).replace(day=1)
    seen = 0
    while True:
        if viet_nam.is_working_day(day):
            seen += 1
            if seen == nth:
                return day
        day += dt.timedelta(days=1)


def test_monthly_reports_on_time_missing_and_streaks(raw: Path, warehouse: Path) -> None:
    nth = query(warehouse, "select deadline_working_day from reference.monthly_report_reference")[0]["deadline_working_day"]
    units = query(warehouse, "select unit_code, unit_name, valid_from, valid_to from marts.dim_unit "
                             "where unit_type = 'department_division'")
    code_of = {u["unit_name"]: u["unit_code"] for u in units} | {u["unit_code"]: u["unit_code"] for u in units}
    first: dict[tuple[str, dt.date], dt.datetime] = {}
    for path in sorted((raw / "monthly_reports").glob("*.csv")):
        for row in pl.read_csv(path, infer_schema=False).iter_rows(named=True):
            month_number, year = row["Tháng"].split("/")
            key = (code_of[row["Phòng"]], dt.date(int(year), int(month_number), 1))
            submitted = dt.datetime.strptime(row["Ngày nộp"], TIME_FORMAT)
            first[key] = min(first.get(key, submitted), submitted)
    as_of = max(first.values()).date()
    months = sorted({m for _, m in first})
    expected = {}
    for unit in sorted(units, key=lambda u: u["unit_code"]):
        streak = 0
        for month in months:
            month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            if unit["valid_from"] > month_end or (unit["valid_to"] is not None and unit["valid_to"] < month):
                continue
            deadline = _deadline(month, nth)
            submitted = first.get((unit["unit_code"], month))
            status = ("on_time" if submitted and submitted.date() <= deadline else "late" if submitted
                      else "missing" if deadline < as_of else "not_due")
            streak = streak + 1 if status == "on_time" else 0
            expected[(unit["unit_code"], f"{month:%Y-%m}")] = (deadline, status, streak)
    built = {(r["unit_code"], r["month"]): (r["deadline_date"], r["status"], r["on_time_streak"])
             for r in query(warehouse, "select * from marts.kpi_monthly_reports")}
    assert built == expected
    statuses = Counter(status for _, status, _ in expected.values())
    assert statuses["on_time"] > statuses["late"] > 0 and statuses["missing"] > 0


def test_period_report_lists_spikes_incidents_and_division_reports(built_pipeline: BuiltPipeline, warehouse: Path) -> None:
    """The quarter's page has the section, one row per spike day, incident and division-month of the marts, and the
    index shows the new headline cards."""
    quarters = [r["quarter"] for r in query(warehouse, "select quarter from marts.kpi_incidents order by quarter_start")]
    code = quarters[-1]
    out_dir = built_pipeline.settings.reports_dir
    page = (out_dir / f"bao-cao-{code}.html").read_text(encoding="utf-8")
    section = page.split('id="du-luan-su-co"', 1)[1].split("</section>", 1)[0]
    spikes = query(warehouse, f"select spike_date from marts.fct_listening_spikes where quarter = '{code}'")
    incidents = query(warehouse, f"select incident_id from marts.fct_incidents where quarter = '{code}'")
    reports = query(warehouse, "select unit_code, month from marts.kpi_monthly_reports "
                               f"where {quarter_sql('month_start')} = '{code}'")
    assert section.count("data-day=") == len(spikes) > 0
    assert all(f'data-incident="{r["incident_id"]}"' in section for r in incidents) and incidents
    assert section.count("data-month=") == len(reports) > 0
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    for metric in ("listening_mentions", "monthly_reports_on_time_pct", "listening_spikes_without_incident"):
        assert f'data-metric="{metric}"' in index


def quarter_sql(column: str) -> str:
    return f"strftime({column}, '%Y') || 'Q' || quarter({column})"
