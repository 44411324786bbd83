"""Plan coverage, school disclosure and the mid-quarter reminders on the tiny build, against the same figures recomputed
in Python from the reference files, the build's deduplicated rows and the saved pages themselves."""
from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import polars as pl

from edukpi.settings import DEFAULT_REFERENCE_DIR

from tests.conftest import BuiltPipeline, run_edukpi

AS_OF = dt.date(2024, 5, 15)
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def query(db: Path, sql: str, params: list | None = None) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def words(text: str | None) -> str:
    """Accents, đ, case and punctuation dropped (an independent copy of the rule the docs describe)."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def plan_items() -> list[dict]:
    with (DEFAULT_REFERENCE_DIR / "plan_items.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def due_quarters(period: str) -> set[int]:
    if "thuong xuyen" in words(period):
        return {1, 2, 3, 4}
    return {ROMAN[r] for r in re.findall(r"\b(IV|III|II|I)\b", period.upper())}


def expected_coverage(built: BuiltPipeline) -> dict[tuple[str, str], Counter]:
    items = plan_items()
    by_year = defaultdict(dict)
    for item in items:
        by_year[int(item["plan_year"])][item["item_id"]] = [words(k) for k in item["keywords"].split(";") if words(k)]
    articles = [("submission", r["title"], r["plan_item"], r["day"]) for r in query(
        built.settings.build_db,
        """select title, nullif(trim(plan_item), '') as plan_item, cast(submitted_at as date) as day
           from intermediate.int_article_submissions_deduplicated where status <> 'withdrawn'""")]
    articles += [(r["channel"], r["text"], None, r["day"]) for r in query(
        built.settings.warehouse_db,
        "select channel, coalesce(title, post_text) as text, published_date as day from marts.fct_social_posts")]
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for channel, title, explicit, day in articles:
        quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
        plan = by_year.get(day.year, {})
        if explicit:
            tags = [explicit] if explicit in plan else []
        else:
            padded = f" {words(title)} "
            tags = [item for item, keys in plan.items() if any(f" {k} " in padded for k in keys)]
        for item in tags:
            counts[(item, quarter)][channel] += 1
    return counts


def test_plan_coverage_matches_a_recount_of_every_item_and_quarter(built_pipeline: BuiltPipeline) -> None:
    rows = query(built_pipeline.settings.warehouse_db, "select * from marts.kpi_plan_coverage")
    items = plan_items()
    # every item of the plan in every quarter of its year, also with nothing
    assert {(r["plan_item_id"], r["quarter"]) for r in rows} == {
        (i["item_id"], f"{i['plan_year']}Q{q}") for i in items for q in range(1, 5)}
    expected = expected_coverage(built_pipeline)
    as_of = rows[0]["as_of_date"]
    periods = {i["item_id"]: due_quarters(i["period"]) for i in items}
    tagged = 0
    for row in rows:
        want = expected.get((row["plan_item_id"], row["quarter"]), Counter())
        got = (row["articles_submitted"], row["facebook_posts"], row["zalo_posts"])
        assert got == (want["submission"], want["facebook"], want["zalo"]), (row["plan_item_id"], row["quarter"])
        tagged += row["articles_total"]
        due = int(row["quarter"][-1]) in periods[row["plan_item_id"]]
        assert row["is_due"] == due
        assert row["is_due_without_articles"] == (due and row["quarter_start"] <= as_of and sum(want.values()) == 0)
    assert tagged > 0
    # II.6 (Quý II) is due only in Q2; the report lists what got nothing while due
    assert [r["quarter"] for r in rows if r["plan_item_id"] == "II.6" and r["is_due"]] == ["2024Q2"]


DOCUMENT_SECTIONS = {"thong tin chung": "thong_tin_chung", "cong khai tai chinh": "tai_chinh", "doi ngu": "doi_ngu",
                     "co so vat chat": "co_so_vat_chat", "kiem dinh": "kiem_dinh", "ke hoach giao duc": "ke_hoach_giao_duc",
                     "ket qua giao duc": "ket_qua_nam_hoc", "bao cao thuong nien": "bao_cao_thuong_nien"}
LISTED = re.compile(r'<li><a href="([^"]+)">([^<]+)</a> \(đăng ngày (\d\d)/(\d\d)/(\d{4})\)</li>')


def expected_disclosure(raw: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(host, school year) -> (sections missing, sections late), read from the saved disclosure pages with a regex."""
    with (DEFAULT_REFERENCE_DIR / "disclosure_sections.csv").open(encoding="utf-8") as handle:
        required = [row["section_id"] for row in csv.DictReader(handle)]
    result = {}
    for page in sorted((raw / "disclosure").glob("*/cong-khai/nam-hoc-*.html")):
        host, year = page.parts[-3], page.stem.removeprefix("nam-hoc-")
        deadline = dt.date(int(year[-4:]), 6, 30)
        status = {}
        for href, title, day, month, yyyy in LISTED.findall(page.read_text(encoding="utf-8")):
            section = next(s for prefix, s in DOCUMENT_SECTIONS.items() if words(title).startswith(prefix))
            saved = (page.parent / href).resolve().is_file()
            posted = dt.date(int(yyyy), int(month), int(day))
            status[section] = "missing" if not saved else ("late" if posted > deadline else "on_time")
        missing = sum(status.get(s, "missing") == "missing" for s in required)
        result[(host, year)] = (missing, sum(v == "late" for v in status.values()))
    return result


def test_disclosure_matches_the_saved_pages(built_pipeline: BuiltPipeline) -> None:
    raw, warehouse = built_pipeline.settings.raw_dir, built_pipeline.settings.warehouse_db
    rows = query(warehouse, "select * from marts.kpi_disclosure")
    got = {(r["site_host"], r["school_year"]): (r["sections_missing"], r["sections_late"]) for r in rows}
    expected = expected_disclosure(raw)
    assert got == expected
    assert any(missing for missing, _ in expected.values()) and any(late for _, late in expected.values())
    # schools under a district office's domain report to it; a school with its own registered site to itself
    units = {r["site_host"]: r["reporting_unit_code"] for r in rows}
    assert units["thcsnguyendu.pgdquan1.hcm.edu.vn"] == "PGD_Q1" and units["thptlehongphong.hcm.edu.vn"] == "THPT_LHP"
    by_unit = defaultdict(lambda: [0, 0])
    for r in rows:
        by_unit[(r["reporting_unit_code"], r["school_year"])][0] += 1
        by_unit[(r["reporting_unit_code"], r["school_year"])][1] += r["sections_missing"] == 0
    for r in query(warehouse, "select * from marts.kpi_disclosure_units"):
        assert [r["schools"], r["schools_complete"]] == by_unit[(r["reporting_unit_code"], r["school_year"])]
    # the cut-short page and the impossible date are quarantined, every row accounted for
    quarantined = query(built_pipeline.settings.build_db,
                        "select source_file, column_name from raw.quarantine where source = 'disclosure' "
                        "and superseded_at is null order by 1")
    assert [(q["source_file"].rsplit("/", 2)[-2], q["column_name"]) for q in quarantined] == [
        ("thptlehongphong.hcm.edu.vn", "(whole row)"), ("thpttrandainghia.hcm.edu.vn", "published_on")]
    ledger = query(built_pipeline.settings.build_db, "select sum(rows_read) as r, sum(rows_loaded) as l, "
                   "sum(rows_quarantined) as q from raw.ingested_files where source = 'disclosure'")[0]
    assert ledger["r"] == ledger["l"] + ledger["q"] and ledger["q"] == 2


def behind_on_articles(built: BuiltPipeline) -> dict[str, int]:
    """Units of Q2 2024 behind their quota on AS_OF (projection below the quota): articles still needed."""
    quarter_start, quarter_end = dt.date(2024, 4, 1), dt.date(2024, 6, 30)
    units = query(built.settings.warehouse_db, """select unit_code, quota_articles_per_quarter as quota from marts.dim_unit
        where quota_articles_per_quarter > 0 and valid_from <= ? and (valid_to is null or valid_to >= ?)""",
                  [quarter_end, quarter_start])
    submitted = Counter(r["unit_code"] for r in query(built.settings.build_db, """
        select unit_code from intermediate.int_article_submissions_deduplicated
        where status <> 'withdrawn' and cast(submitted_at as date) between ? and ?""", [quarter_start, AS_OF]))
    elapsed, length = (AS_OF - quarter_start).days + 1, (quarter_end - quarter_start).days + 1
    return {u["unit_code"]: u["quota"] - submitted[u["unit_code"]] for u in units
            if submitted[u["unit_code"]] < u["quota"] and submitted[u["unit_code"]] / elapsed * length < u["quota"]}


def overdue_tickets(built: BuiltPipeline) -> dict[str, set[str]]:
    working = [r["date"] for r in query(built.settings.warehouse_db,
                                         "select date from marts.dim_date where is_working_day order by date")]
    tickets = query(built.settings.warehouse_db, """select ticket_id, unit_code, received_date, responded_date,
        sla_working_days from marts.fct_feedback_tickets where received_date <= ? and unit_code is not null
        and (responded_date is null or responded_date > ?)""", [AS_OF, AS_OF])
    overdue = defaultdict(set)
    for t in tickets:
        age = sum(t["received_date"] < day <= AS_OF for day in working)
        if age > t["sla_working_days"]:
            overdue[t["unit_code"]].add(t["ticket_id"])
    return overdue


def test_nudges_as_of_a_day_name_what_each_unit_still_owes(built_pipeline: BuiltPipeline, tmp_path: Path) -> None:
    out = tmp_path / "nudges"
    done = run_edukpi(["nudges", "--as-of", AS_OF.isoformat(), "--out", str(out)], built_pipeline.env)
    assert done.returncode == 0, done.stdout + done.stderr
    overview = pl.read_excel(out / "tong_hop_nhac_viec.xlsx")
    articles = {r["Mã đơn vị"]: r["Số lượng"] for r in overview.iter_rows(named=True) if r["Loại nhắc việc"] == "articles"}
    assert articles == behind_on_articles(built_pipeline) and articles
    overdue = {r["Mã đơn vị"]: set(r["Chi tiết (mã phản ánh / trang trường)"].split(", "))
               for r in overview.iter_rows(named=True) if r["Loại nhắc việc"] == "feedback_overdue"}
    assert overdue == overdue_tickets(built_pipeline)
    # a unit behind gets its message with the count and the days left to the end of the quarter
    unit, needed = sorted(articles.items())[0]
    text = (out / f"{unit}.txt").read_text(encoding="utf-8")
    assert f"còn thiếu {needed} bài" in text and f"còn {(dt.date(2024, 6, 30) - AS_OF).days} ngày" in text
    assert (out / f"{unit}.html").is_file()
    # a unit with no reminder of any kind gets no message
    reminded = set(overview["Mã đơn vị"])
    on_track = [u["unit_code"] for u in query(built_pipeline.settings.warehouse_db,
                "select unit_code from marts.dim_unit where quota_articles_per_quarter > 0 order by 1")
                if u["unit_code"] not in reminded]
    assert on_track, "the tiny data has units on track"
    assert {p.stem for p in out.glob("*.txt")} == reminded
    assert not (out / f"{on_track[0]}.txt").exists()


def test_period_page_lists_the_plan_items_due_without_articles(built_pipeline: BuiltPipeline) -> None:
    warehouse, reports = built_pipeline.settings.warehouse_db, built_pipeline.settings.reports_dir
    for quarter in ("2024Q2", "2024Q3"):
        page = (reports / f"bao-cao-{quarter}.html").read_text(encoding="utf-8")
        section = page.split('id="do-phu-ke-hoach"', 1)[1].split("</section>", 1)[0]
        empty = {r["plan_item_id"] for r in query(warehouse, "select plan_item_id from marts.kpi_plan_coverage "
                                                              "where quarter = ? and is_due_without_articles", [quarter])}
        flagged = set(re.findall(r'data-item="([^"]+)" data-due-empty="true"', section))
        assert flagged == empty
        for item in empty:
            assert f"{item} " in section.split('class="alert"', 1)[1].split("</p>", 1)[0]
        assert len(re.findall(r'data-item="', section)) == len(plan_items())
    disclosure = (reports / "bao-cao-2024Q2.html").read_text(encoding="utf-8").split('id="cong-khai"', 1)[1]
    incomplete = query(warehouse, "select site_host from marts.kpi_disclosure where school_year = '2023-2024' "
                                  "and not is_complete")
    assert incomplete and all(r["site_host"] in disclosure for r in incomplete)
