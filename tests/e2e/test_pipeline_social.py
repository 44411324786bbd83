"""Social-channel marts on the tiny build agree with the same figures recomputed in Python from the raw files."""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
import pytest

from tests.conftest import BuiltPipeline

PACIFIC = ZoneInfo("America/Los_Angeles")
# The Vietnamese Business Suite headers of the sample exports, as English ones (an independent copy of the mapping).
FB_VI_TO_EN = {"ID bài viết": "Post ID", "Tiêu đề": "Title", "Mô tả": "Description", "Thời gian đăng": "Publish time",
               "Lượt xem": "Views", "Số người tiếp cận": "Reach", "Lượt bày tỏ cảm xúc": "Reactions", "Bình luận": "Comments",
               "Lượt chia sẻ": "Shares"}


def query(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).pl()


def reference(warehouse: Path) -> dict[str, int]:
    """The reference values the build used (seed social_reference, published in schema reference), not constants."""
    row = query(warehouse, "select * from reference.social_reference").row(0, named=True)
    return {k: int(v) for k, v in row.items()}


def export_day(path: Path) -> dt.date:
    return dt.date.fromisoformat(re.search(r"(\d{4}-\d{2}-\d{2})", path.name).group(1))


def facebook_exports(raw: Path) -> list[dict]:
    rows = []
    for path in sorted((raw / "facebook" / "posts").glob("*.csv")):
        frame = pl.read_csv(path, infer_schema=False)
        frame = frame.rename({k: v for k, v in FB_VI_TO_EN.items() if k in frame.columns})
        for row in frame.iter_rows(named=True):
            published = dt.datetime.strptime(row["Publish time"], "%m/%d/%Y %H:%M")
            rows.append({"post_id": row["Post ID"], "exported_on": export_day(path), "published_at": published,
                         "title": row["Title"], "text": row["Description"] or "", "views": int(row["Views"]),
                         "reach": int(row["Reach"]),
                         "engagements": sum(int(row[c] or 0) for c in ("Reactions", "Comments", "Shares"))})
    return rows


def zalo_exports(raw: Path) -> list[dict]:
    rows = []
    for path in sorted((raw / "zalo" / "articles").iterdir()):
        frame = (pl.read_excel(path, infer_schema_length=0) if path.suffix == ".xlsx"
                 else pl.read_csv(path, infer_schema=False))
        for row in frame.iter_rows(named=True):
            rows.append({"post_id": row["Mã bài viết"], "exported_on": export_day(path),
                         "published_at": dt.datetime.strptime(row["Thời gian đăng"], "%d/%m/%Y %H:%M"),
                         "title": row["Tiêu đề"], "text": "", "views": int(row["Lượt xem"]), "reach": None,
                         "engagements": int(row["Lượt chia sẻ"])})
    return rows


def latest(rows: list[dict]) -> dict[str, dict]:
    by_post: dict[str, dict] = {}
    for row in rows:
        kept = by_post.get(row["post_id"])
        if kept is None or row["exported_on"] > kept["exported_on"]:
            by_post[row["post_id"]] = row
    return by_post


def month(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def title_words(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def link_key(url: str) -> str:
    url = re.sub(r"^[a-z][a-z0-9+.-]*://(www\.)?", "", url.strip().lower())
    return re.sub(r"[/.,;:!)]+$", "", re.sub(r"[?#].*$", "", url))


@pytest.fixture(scope="module")
def raw(built_pipeline: BuiltPipeline) -> Path:
    return built_pipeline.settings.raw_dir


@pytest.fixture(scope="module")
def build_db(built_pipeline: BuiltPipeline) -> Path:
    return built_pipeline.settings.build_db


@pytest.fixture(scope="module")
def warehouse(built_pipeline: BuiltPipeline) -> Path:
    return built_pipeline.settings.warehouse_db


def test_latest_export_wins_and_history_is_kept(raw: Path, warehouse: Path) -> None:
    facebook = facebook_exports(raw)
    expected = latest(facebook)
    exports = defaultdict(int)
    for row in facebook:
        exports[row["post_id"]] += 1
    assert max(exports.values()) >= 3, "the sample must hold overlapping re-exports"
    mart = {r["post_id"]: r for r in query(
        warehouse, "select * from marts.fct_social_posts where channel = 'facebook'").iter_rows(named=True)}
    assert set(mart) == set(expected)
    wrong = [(pid, mart[pid]["views"], row["views"]) for pid, row in expected.items()
             if (mart[pid]["views"], mart[pid]["reach"], mart[pid]["engagements"], mart[pid]["exports_count"],
                 mart[pid]["latest_exported_on"]) != (row["views"], row["reach"], row["engagements"], exports[pid],
                                                      row["exported_on"])]
    assert not wrong, wrong[:5]
    # engagement after N days: the first export at least N days after the publication day
    days = reference(warehouse)["engagement_after_days"]
    after = {}
    for row in sorted(facebook, key=lambda r: r["exported_on"]):
        if row["exported_on"] >= row["published_at"].date() + dt.timedelta(days=days):
            after.setdefault(row["post_id"], row["engagements"])
    assert sum(v is not None for v in after.values()) > 100
    assert {pid: mart[pid]["engagements_after_n_days"] for pid in expected} == {pid: after.get(pid) for pid in expected}


def test_monthly_posts_engagement_and_followers(raw: Path, warehouse: Path) -> None:
    mart = {(r["channel"], r["month"]): r for r in query(warehouse, "select * from marts.kpi_social_monthly").iter_rows(named=True)}
    for channel, rows in (("facebook", facebook_exports(raw)), ("zalo", zalo_exports(raw))):
        posts: dict[str, list[dict]] = defaultdict(list)
        for row in latest(rows).values():
            posts[month(row["published_at"])].append(row)
        for label, members in posts.items():
            got = mart[(channel, label)]
            engagements = sum(r["engagements"] for r in members)
            assert got["posts"] == len(members), (channel, label)
            assert got["engagements"] == engagements, (channel, label)
            # the mart rounds to 1 decimal: within 0.05 of the exact ratio
            assert got["engagement_per_post"] == pytest.approx(engagements / len(members), abs=0.0501), (channel, label)
            denominator = sum(r["reach"] for r in members) if channel == "facebook" else sum(r["views"] for r in members)
            assert got["engagement_rate_pct"] == pytest.approx(100 * engagements / denominator, abs=0.0501), (channel, label)

    # Zalo followers: end of each month minus end of the previous month (first month: minus its first day)
    counts = {}
    for path in sorted((raw / "zalo" / "followers").glob("*.csv")):
        for day, value in pl.read_csv(path, infer_schema=False).iter_rows():
            counts[dt.datetime.strptime(day, "%d/%m/%Y").date()] = int(value)
    month_end: dict[str, int] = {}
    for day in sorted(counts):
        month_end[month(day)] = counts[day]
    labels = sorted(month_end)
    for previous, label in zip([None, *labels], labels):
        start = month_end[previous] if previous else counts[min(counts)]
        assert mart[("zalo", label)]["followers_end"] == month_end[label]
        assert mart[("zalo", label)]["follower_growth"] == month_end[label] - start, label


def test_fanpage_views_by_the_day_meta_labels(raw: Path, warehouse: Path, build_db: Path) -> None:
    """Daily insights values belong to the US Pacific day that ends at their end_time; the old metric names count too."""
    by_day: dict[dt.date, int] = {}
    names = set()
    for path in sorted((raw / "facebook" / "insights").glob("*.ndjson")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if item["name"] not in ("page_media_view", "page_impressions"):
                continue
            names.add(item["name"])
            for value in item["values"]:
                end = dt.datetime.strptime(value["end_time"], "%Y-%m-%dT%H:%M:%S%z")
                by_day[(end.astimezone(PACIFIC) - dt.timedelta(seconds=1)).date()] = value["value"]
    assert names == {"page_media_view", "page_impressions"}, "the sample must hold the removed name and the new one"
    monthly: dict[str, int] = defaultdict(int)
    for day, value in by_day.items():
        monthly[month(day)] += value
    mart = {r["month"]: r["page_views"] for r in query(
        warehouse, "select month, page_views from marts.kpi_social_monthly where channel = 'facebook'").iter_rows(named=True)}
    assert mart == dict(monthly)
    # A value read at UTC (or in local time) would land a day later: 2024-03-01's value ends 2024-03-02 08:00 UTC.
    daily = query(build_db, "select metric_date, page_views from intermediate.int_facebook_page_daily where metric_date = '2024-03-01'")
    assert daily.row(0) == (dt.date(2024, 3, 1), by_day[dt.date(2024, 3, 1)])


def test_crossposting_share_matches_independent_matching(raw: Path, warehouse: Path) -> None:
    window = dt.timedelta(days=reference(warehouse)["crosspost_window_days"])
    frames = [pl.read_csv(p, infer_schema=False) for p in sorted((raw / "submissions").glob("*.csv"))]
    frames += [pl.read_excel(p, infer_schema_length=0) for p in sorted((raw / "submissions").glob("*.xlsx"))]
    submissions = pl.concat(frames, how="diagonal").unique("Mã bài", keep="last")
    articles = submissions.filter((pl.col("Trạng thái") == "Đã đăng") & (pl.col("Kênh đăng") == "Cổng thông tin"))
    posts = {"facebook": list(latest(facebook_exports(raw)).values()), "zalo": list(latest(zalo_exports(raw)).values())}
    by_link = {c: defaultdict(list) for c in posts}
    by_title = {c: defaultdict(list) for c in posts}
    for channel, rows in posts.items():
        for row in rows:
            for url in re.findall(r"https?://[^\s<>\"]+", row["text"]):
                by_link[channel][link_key(url)].append(row["published_at"])
            by_title[channel][title_words(row["title"])].append(row["published_at"])
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    shared_by_article = {}
    for row in articles.iter_rows(named=True):
        published = dt.datetime.strptime(row["Ngày đăng"], "%d/%m/%Y %H:%M")
        shared = False
        for channel in posts:
            times = by_link[channel].get(link_key(row["Đường dẫn"] or ""), []) + by_title[channel].get(title_words(row["Tiêu đề"]), [])
            later = [t for t in times if t >= published]
            shared = shared or bool(later and min(later) <= published + window)
        expected[month(published)][0] += 1
        expected[month(published)][1] += shared
        shared_by_article[row["Mã bài"]] = shared
    mart = {r["month"]: [r["portal_articles"], r["shared_any_count"]]
            for r in query(warehouse, "select * from marts.kpi_social_crossposting").iter_rows(named=True)}
    assert mart == dict(expected)
    per_article = dict(query(warehouse, "select submission_id, shared_within_window from marts.fct_portal_articles_shared").rows())
    assert per_article == shared_by_article
    shares = [shared / total for total, shared in expected.values()]
    assert 0.3 < min(shares) and max(shares) < 1.0, "some articles shared in time, some late or never"


def test_moderation_within_window(raw: Path, warehouse: Path) -> None:
    hours = reference(warehouse)["moderation_window_hours"]
    comments = {}
    for path in sorted((raw / "moderation").glob("*.csv")):
        for row in pl.read_csv(path, infer_schema=False).iter_rows(named=True):
            comments[(row["Kênh"], row["Mã bình luận"])] = row
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for (channel, _), row in comments.items():
        flagged = dt.datetime.strptime(row["Thời điểm phát hiện"], "%d/%m/%Y %H:%M")
        acted = row["Thời điểm xử lý"] and dt.datetime.strptime(row["Thời điểm xử lý"], "%d/%m/%Y %H:%M")
        on_time = bool(row["Xử lý"]) and bool(acted) and acted - flagged <= dt.timedelta(hours=hours)
        for key in ((channel.lower(), month(flagged)), (None, month(flagged))):
            expected[key][0] += 1
            expected[key][1] += on_time
    mart = {(r["channel"], r["month"]): [r["flagged_count"], r["handled_within_window_count"]]
            for r in query(warehouse, "select * from marts.kpi_social_moderation").iter_rows(named=True)}
    assert mart == dict(expected)
    late = sum(flagged - on_time for (channel, _), (flagged, on_time) in expected.items() if channel is None)
    assert late > 0, "the sample must hold comments handled late"
    headline = query(warehouse, "select period, value, target from marts.kpi_headline "
                                "where metric = 'moderation_within_window_pct' and period_grain = 'month'")
    for period, value, target in headline.iter_rows():
        flagged, on_time = expected[(None, period)]
        assert value == pytest.approx(100 * on_time / flagged, abs=0.0501)
        assert target == 100


def test_period_page_and_index_show_the_social_channels(built_pipeline: BuiltPipeline, warehouse: Path) -> None:
    """The reports read the social KPIs from the marts: the quarter page's "Mạng xã hội" section and the index's cards."""
    from reports.format import fmt_pct

    reports = built_pipeline.settings.reports_dir
    headline = query(warehouse, "select period, metric, value from marts.kpi_headline where period_grain = 'quarter' "
                                "and metric in ('social_crossposted_pct', 'moderation_within_window_pct') order by period")
    latest = headline["period"].max()
    page = (reports / f"bao-cao-{latest}.html").read_text(encoding="utf-8")
    section = page.split('id="mang-xa-hoi"', 1)[1].split("</section>", 1)[0]
    for metric, value in headline.filter(pl.col("period") == latest).select("metric", "value").iter_rows():
        assert fmt_pct(value) in section, metric
    monthly = query(warehouse, f"select channel, month from marts.kpi_social_monthly where month like '{latest[:4]}-%'")
    assert section.count('data-channel="facebook"') >= 1 and section.count('data-channel="zalo"') >= 1
    assert monthly.height > 0
    index = (reports / "index.html").read_text(encoding="utf-8")
    for metric in ("social_posts", "social_crossposted_pct", "moderation_within_window_pct"):
        assert f'data-metric="{metric}"' in index
