"""Sample files of the social channels (Facebook fanpage, Zalo OA, moderation log), seeded and deterministic.

Portal articles (published submissions whose channel is the portal) are shared to the fanpage and the OA, most within two
days, some later, some never; each channel has posts of its own too. Business Suite exports are taken weekly and overlap
(a post is in about four exports, its counts growing); insights files of 2024 use the metric names Meta removed in 2025.
Every stream has its own random generator, so the other sources' files are unchanged by this module.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from generator.calendar import WorkingCalendar
from generator.people import invented_people
from generator.presets import AS_OF, DATE_FROM, DATE_TO, N_DAYS, QUARTERS, Preset, quarter_label
from generator.submissions import build_submissions
from generator.writers import write_csv, write_xlsx

PAGE_ID = "100064512345678"
PACIFIC = ZoneInfo("America/Los_Angeles")
# Streams of this module (apart from generate's own, so that its files keep their bytes).
_STREAMS = {"facebook": 101, "zalo": 102, "moderation": 103, "insights": 104}
FACEBOOK_SHARE, ZALO_SHARE = 0.72, 0.48  # of portal articles shared at all
LATE_SHARE = 0.12  # of the shared ones, shared after the two-day window
EXPORT_WINDOW_DAYS = 28  # a weekly Business Suite export lists the posts of the last four weeks
ZALO_EXPORT_WINDOW_DAYS = 62
REMOVED_NAMES_UNTIL = dt.date(2024, 12, 31)  # insights files of 2024 were pulled before Meta renamed the metrics
REMOVED_NAMES = {"page_media_view": "page_impressions", "page_follows": "page_fans", "post_media_view": "post_impressions",
                 "post_total_media_view_unique": "post_impressions_unique"}
VIETNAMESE_EXPORTS = (dt.date(2024, 7, 1), dt.date(2025, 2, 3))  # an admin switched the interface language twice

FB_EN_COLUMNS = ["Post ID", "Page ID", "Page name", "Title", "Description", "Duration (sec)", "Publish time", "Permalink",
                 "Post type", "Data comment", "Date", "Views", "Reach", "Reactions, Comments and Shares", "Reactions",
                 "Comments", "Shares", "Total clicks", "Link clicks", "Other Clicks"]
FB_VI_COLUMNS = {"Post ID": "ID bài viết", "Page ID": "ID Trang", "Page name": "Tên Trang", "Title": "Tiêu đề",
                 "Description": "Mô tả", "Duration (sec)": "Thời lượng (giây)", "Publish time": "Thời gian đăng",
                 "Permalink": "Liên kết cố định", "Post type": "Loại bài viết", "Data comment": "Nhận xét về dữ liệu",
                 "Date": "Ngày", "Views": "Lượt xem", "Reach": "Số người tiếp cận",
                 "Reactions, Comments and Shares": "Cảm xúc, bình luận và lượt chia sẻ", "Reactions": "Lượt bày tỏ cảm xúc",
                 "Comments": "Bình luận", "Shares": "Lượt chia sẻ", "Total clicks": "Tổng số lượt click",
                 "Link clicks": "Lượt click vào liên kết", "Other Clicks": "Lượt click khác"}
PAGE_NAME = "Sở GD&ĐT Thành phố Hồ Chí Minh"
OWN_FACEBOOK_POSTS = ("Hình ảnh: {}", "Trực tiếp: {}", "Chúc mừng các em học sinh {}", "Infographic: {}")
OWN_TOPICS = ("Lễ khai giảng năm học mới", "Hội nghị tổng kết năm học", "Giải thể thao học sinh thành phố",
              "Ngày Nhà giáo Việt Nam 20/11", "Kỳ thi học sinh giỏi cấp thành phố", "Tuần lễ học tập suốt đời",
              "An toàn giao thông cho học sinh", "Chuyển đổi số trong trường học", "Tết Trung thu cho học sinh",
              "Phòng chống đuối nước cho trẻ em")
ZALO_COLUMNS = ["Mã bài viết", "Tiêu đề", "Loại", "Thời gian đăng", "Lượt xem", "Lượt chia sẻ"]
REASONS = (("Thông tin sai sự thật", 0.22), ("Xúc phạm, bôi nhọ", 0.2), ("Quảng cáo - Spam", 0.3),
           ("Nội dung vi phạm pháp luật", 0.05), ("Câu hỏi cần trả lời", 0.18), ("Khác", 0.05))
ACTIONS = (("Ẩn", 0.33), ("Xóa", 0.27), ("Trả lời", 0.22), ("Giữ lại", 0.18))


def _rng(seed: int, stream: str, *more: int) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[stream], *more])


def _digits(seed: int, text: str, n: int) -> str:
    return str(int(hashlib.sha256(f"{seed}:{text}".encode()).hexdigest(), 16))[:n]


def _portal_articles(seed: int, config: Preset, registry: pl.DataFrame, calendar: WorkingCalendar) -> pl.DataFrame:
    """The department's portal articles, as the submissions list has them (the same seed gives the same list)."""
    submissions, _ = build_submissions(seed, config, registry, calendar)
    return submissions.filter((pl.col("status") == "published") & (pl.col("channel") == "portal")).select(
        "submission_id", "title", "url", "published_at").sort("published_at", "submission_id")


def _share_times(rng: np.random.Generator, published: pl.Series, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Which articles a channel shares and when: most within two days of publication, LATE_SHARE of them later."""
    n = published.len()
    shared = rng.random(n) < share
    late = rng.random(n) < LATE_SHARE
    delay_h = np.where(late, rng.uniform(50, 24 * 6, n), rng.gamma(1.5, 6.0, n).clip(0.2, 46))
    at = published.to_numpy() + (delay_h * 3600).astype("timedelta64[s]")
    return shared, at


def _edited_title(rng: np.random.Generator, titles: list[str]) -> list[str]:
    """Social editors retouch titles: an emoji in front, capitals, a colon dropped, an NFD copy from a Mac."""
    out = []
    for title, u in zip(titles, rng.random(len(titles))):
        if u < 0.12:
            title = "📢 " + title
        elif u < 0.18:
            title = title.upper()
        elif u < 0.24:
            title = title.replace(":", "").replace("  ", " ") + "!"
        elif u < 0.26:
            title = unicodedata.normalize("NFD", title)
        out.append(title)
    return out


def _growth(age_days: np.ndarray, final: np.ndarray) -> np.ndarray:
    """Counts as of an age: most engagement comes in the first days after publication, a little keeps coming for weeks."""
    age = np.clip(age_days, 0, None)
    return np.floor(final * (0.85 * (1 - np.exp(-age / 2.2)) + 0.15 * (1 - np.exp(-age / 20.0)))).astype(np.int64)


def _facebook_posts(seed: int, articles: pl.DataFrame) -> pl.DataFrame:
    rng = _rng(seed, "facebook")
    shared, at = _share_times(rng, articles["published_at"], FACEBOOK_SHARE)
    part = articles.filter(pl.Series(shared)).with_columns(pl.Series("posted_at", at[shared]))
    link_post = rng.random(part.height) < 0.7
    titles = _edited_title(rng, part["title"].to_list())
    leads = ["Mời quý phụ huynh, học sinh theo dõi thông tin chi tiết." if lp else "Xem thêm trên Cổng thông tin của Sở."
             for lp in link_post]
    description = [f"{t}. {lead} {url}" if lp else f"{t}. {lead}"
                   for t, lead, url, lp in zip(part["title"].to_list(), leads, part["url"].to_list(), link_post)]
    portal = pl.DataFrame({
        "posted_at": part["posted_at"], "title": titles, "description": description,
        "post_type": np.where(link_post, "Links", "Photos").tolist(),
    })
    # The page's own posts: event photos, livestreams, greetings (about two a week).
    first, last = DATE_FROM, DATE_TO
    n_own = int(rng.poisson(((last - first).days + 1) / 3.5))
    own_days = rng.integers(0, (last - first).days + 1, n_own)
    own_at = (np.datetime64(first, "s") + own_days.astype("timedelta64[D]")
              + rng.integers(6 * 3600, 21 * 3600, n_own).astype("timedelta64[s]")).astype("datetime64[us]")
    own_titles = [OWN_FACEBOOK_POSTS[i].format(OWN_TOPICS[j]) for i, j in
                  zip(rng.integers(0, len(OWN_FACEBOOK_POSTS), n_own), rng.integers(0, len(OWN_TOPICS), n_own))]
    own = pl.DataFrame({
        "posted_at": pl.Series(own_at), "title": own_titles, "description": [f"{t} #SoGDDTTPHCM" for t in own_titles],
        "post_type": rng.choice(["Photos", "Videos", "Reels"], n_own, p=[0.6, 0.25, 0.15]).tolist(),
    })
    posts = pl.concat([portal, own]).with_row_index("_seq").sort("posted_at", "_seq").drop("_seq")
    posts = posts.filter(pl.col("posted_at") <= AS_OF)
    n = posts.height
    reach = np.floor(rng.lognormal(8.2, 0.8, n)).astype(np.int64)
    posts = posts.with_columns(
        post_id=pl.Series([f"12210{_digits(seed, f'fb{i}', 13)}" for i in range(n)]),
        final_reach=reach, final_views=np.floor(reach * rng.uniform(1.1, 1.6, n)).astype(np.int64),
        final_reactions=np.floor(reach * rng.beta(2, 60, n)).astype(np.int64),
        final_comments=np.floor(reach * rng.beta(1, 400, n)).astype(np.int64),
        final_shares=np.floor(reach * rng.beta(1, 250, n)).astype(np.int64),
        final_link_clicks=np.floor(reach * rng.beta(1, 60, n)).astype(np.int64),
        final_other_clicks=np.floor(reach * rng.beta(1, 40, n)).astype(np.int64),
    )
    return posts.with_columns(pl.when(pl.col("post_type") != "Links").then(0).otherwise(pl.col("final_link_clicks"))
                              .alias("final_link_clicks"))


def _export_days() -> list[dt.date]:
    """Mondays from the first week, and the last day of the data."""
    day = DATE_FROM + dt.timedelta(days=(7 - DATE_FROM.weekday()) % 7 + 7)
    days = []
    while day <= DATE_TO:
        days.append(day)
        day += dt.timedelta(days=7)
    return days + ([DATE_TO] if days[-1] != DATE_TO else [])


def _facebook_export(posts: pl.DataFrame, exported: dt.date, window_days: int = EXPORT_WINDOW_DAYS) -> pl.DataFrame:
    until = dt.datetime.combine(exported, dt.time(23, 59))
    since = dt.datetime.combine(exported - dt.timedelta(days=window_days), dt.time())
    part = posts.filter((pl.col("posted_at") >= since) & (pl.col("posted_at") <= until))
    age = np.array([(until - t).total_seconds() / 86400 for t in part["posted_at"].to_list()])
    counts = {name: _growth(age, part[f"final_{name}"].to_numpy())
              for name in ("views", "reach", "reactions", "comments", "shares", "link_clicks", "other_clicks")}
    rows = pl.DataFrame({
        "Post ID": part["post_id"], "Page ID": [PAGE_ID] * part.height, "Page name": [PAGE_NAME] * part.height,
        "Title": part["title"], "Description": part["description"],
        "Duration (sec)": ["" if t == "Photos" or t == "Links" else "45" for t in part["post_type"]],
        "Publish time": part["posted_at"].dt.strftime("%m/%d/%Y %H:%M"),
        "Permalink": [f"https://www.facebook.com/{PAGE_ID}/posts/{p}" for p in part["post_id"]],
        "Post type": part["post_type"], "Data comment": [""] * part.height, "Date": ["Lifetime"] * part.height,
        "Views": counts["views"], "Reach": counts["reach"],
        "Reactions, Comments and Shares": counts["reactions"] + counts["comments"] + counts["shares"],
        "Reactions": counts["reactions"], "Comments": counts["comments"], "Shares": counts["shares"],
        "Total clicks": counts["link_clicks"] + counts["other_clicks"], "Link clicks": counts["link_clicks"],
        "Other Clicks": counts["other_clicks"],
    })
    return rows.select(FB_EN_COLUMNS)


def _pacific_end_time(day: dt.date) -> str:
    """Graph API end_time of a daily value of `day`: midnight US Pacific that ends the day, in UTC (07:00 or 08:00)."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=PACIFIC).astimezone(dt.timezone.utc)
    return end.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _insights_month(seed: int, month_start: dt.date, month_end: dt.date, followers: dict[dt.date, int],
                    posts: pl.DataFrame) -> list[str]:
    rng = _rng(seed, "insights", month_start.year, month_start.month)
    days = [month_start + dt.timedelta(days=i) for i in range((month_end - month_start).days + 1)]
    old_names = month_start <= REMOVED_NAMES_UNTIL

    def name(metric: str) -> str:
        return REMOVED_NAMES[metric] if old_names else metric

    weekday = np.array([1.1, 1.08, 1.05, 1.02, 0.95, 0.85, 0.8])
    views = [int(followers[d] * 0.09 * weekday[d.weekday()] * rng.lognormal(0, 0.25)) for d in days]
    lines = [
        {"id": f"{PAGE_ID}/insights/{name('page_media_view')}/day", "name": name("page_media_view"), "period": "day",
         "values": [{"value": v, "end_time": _pacific_end_time(d)} for d, v in zip(days, views)],
         "title": "Daily Media Views", "description": "Daily: The number of times your Page's content was played or displayed."},
        {"id": f"{PAGE_ID}/insights/{name('page_follows')}/day", "name": name("page_follows"), "period": "day",
         "values": [{"value": followers[d], "end_time": _pacific_end_time(d)} for d in days],
         "title": "Lifetime Follows", "description": "Lifetime: The number of followers of your Page."},
    ]
    until = dt.datetime.combine(month_end, dt.time(23, 59))
    part = posts.filter((pl.col("posted_at") >= dt.datetime.combine(month_start, dt.time())) & (pl.col("posted_at") <= until))
    for post_id, posted_at, reach, views_final in part.select("post_id", "posted_at", "final_reach", "final_views").iter_rows():
        age = (until - posted_at).total_seconds() / 86400
        for metric, final in (("post_media_view", views_final), ("post_total_media_view_unique", reach)):
            lines.append({"id": f"{PAGE_ID}_{post_id}/insights/{name(metric)}/lifetime", "name": name(metric),
                          "period": "lifetime",
                          "values": [{"value": int(_growth(np.array([age]), np.array([final]))[0]),
                                      "end_time": _pacific_end_time(month_end)}]})
    return [json.dumps(line, ensure_ascii=False, separators=(",", ":")) for line in lines]


def _followers(seed: int, stream: str, start: int, daily_gain: float) -> tuple[dict[dt.date, int], dict[dt.date, tuple[int, int]]]:
    """Follower count per day and (new, unfollows): summer enrolment season brings most new followers."""
    rng = _rng(seed, stream, 7)
    count, by_day, moves = start, {}, {}
    day = DATE_FROM
    while day <= DATE_TO:
        season = 2.5 if day.month in (5, 6, 7) else 1.0
        new = int(rng.poisson(daily_gain * season))
        gone = int(rng.poisson(daily_gain * 0.18))
        count += new - gone
        by_day[day], moves[day] = count, (new, gone)
        day += dt.timedelta(days=1)
    return by_day, moves


def _zalo_articles(seed: int, articles: pl.DataFrame) -> pl.DataFrame:
    rng = _rng(seed, "zalo")
    shared, at = _share_times(rng, articles["published_at"], ZALO_SHARE)
    part = articles.filter(pl.Series(shared)).with_columns(pl.Series("posted_at", at[shared]))
    # Zalo titles are short: a long portal title is cut at 80 characters (it then matches by link only, and Zalo has none).
    titles = [t if len(t) <= 80 else t[:77].rstrip() + "..." for t in _edited_title(rng, part["title"].to_list())]
    portal = pl.DataFrame({"posted_at": part["posted_at"], "title": titles, "article_type": ["Bài viết"] * part.height})
    weeks = ((DATE_TO - DATE_FROM).days + 1) // 7
    own_at = [dt.datetime.combine(DATE_FROM + dt.timedelta(days=7 * w + 4), dt.time(17, 0)) for w in range(weeks)]
    own = pl.DataFrame({"posted_at": pl.Series(own_at, dtype=pl.Datetime("us")),
                        "title": [f"Bản tin Giáo dục TP.HCM số {w + 1}" for w in range(weeks)],
                        "article_type": ["Video"] * weeks})
    posts = pl.concat([portal, own]).with_row_index("_seq").sort("posted_at", "_seq").drop("_seq")
    posts = posts.filter(pl.col("posted_at") <= AS_OF)
    n = posts.height
    views = np.floor(rng.lognormal(7.6, 0.7, n)).astype(np.int64)
    return posts.with_columns(
        article_id=pl.Series([hashlib.sha256(f"{seed}:zalo{i}".encode()).hexdigest()[:32] for i in range(n)]),
        final_views=views, final_shares=np.floor(views * rng.beta(1, 70, n)).astype(np.int64),
    )


def _zalo_export(posts: pl.DataFrame, exported: dt.date) -> pl.DataFrame:
    until = dt.datetime.combine(exported, dt.time(23, 59))
    since = dt.datetime.combine(exported - dt.timedelta(days=ZALO_EXPORT_WINDOW_DAYS), dt.time())
    part = posts.filter((pl.col("posted_at") >= since) & (pl.col("posted_at") <= until))
    age = np.array([(until - t).total_seconds() / 86400 for t in part["posted_at"].to_list()])
    return pl.DataFrame({
        "Mã bài viết": part["article_id"], "Tiêu đề": part["title"], "Loại": part["article_type"],
        "Thời gian đăng": part["posted_at"].dt.strftime("%d/%m/%Y %H:%M"),
        "Lượt xem": _growth(age, part["final_views"].to_numpy()), "Lượt chia sẻ": _growth(age, part["final_shares"].to_numpy()),
    }).select(ZALO_COLUMNS)


def _moderation(seed: int, fb_posts: pl.DataFrame, zalo_posts: pl.DataFrame) -> pl.DataFrame:
    rng = _rng(seed, "moderation")
    channel_posts = [("Facebook", fb_posts["post_id"].to_list(), fb_posts["posted_at"].to_numpy(), 0.35),
                     ("Zalo", zalo_posts["article_id"].to_list(), zalo_posts["posted_at"].to_numpy(), 0.12)]
    frames = []
    for channel, ids, posted, rate in channel_posts:
        counts = rng.poisson(rate, len(ids))
        post = np.repeat(np.arange(len(ids)), counts)
        n = len(post)
        flagged = posted[post] + (rng.gamma(1.2, 10.0, n) * 3600).astype("timedelta64[s]")
        delay_h = rng.lognormal(np.log(5.0), 1.3, n)
        acted = flagged + (delay_h * 3600).astype("timedelta64[s]")
        action = rng.choice([a for a, _ in ACTIONS], n, p=[w for _, w in ACTIONS]).astype(object)
        pending = acted > np.datetime64(AS_OF)
        action = np.where(pending, "", action)
        people = invented_people(rng, n)
        frames.append(pl.DataFrame({
            "comment_id": [f"{ids[p]}_{_digits(seed, f'{channel}{i}', 9)}" for i, p in enumerate(post)],
            "channel": [channel] * n, "flagged_at": pl.Series(flagged.astype("datetime64[us]")),
            "action": action.astype(str), "action_at": pl.Series(acted.astype("datetime64[us]")), "pending": pending,
            "reason": rng.choice([r for r, _ in REASONS], n, p=[w for _, w in REASONS]),
            "commenter": people["name"],
        }))
    log = pl.concat(frames).filter(pl.col("flagged_at") <= AS_OF).sort("flagged_at", "comment_id")
    return log.select(
        pl.col("comment_id").alias("Mã bình luận"), pl.col("channel").alias("Kênh"),
        pl.col("flagged_at").dt.strftime("%d/%m/%Y %H:%M").alias("Thời điểm phát hiện"),
        pl.col("action").alias("Xử lý"),
        pl.when(pl.col("pending")).then(pl.lit("")).otherwise(pl.col("action_at").dt.strftime("%d/%m/%Y %H:%M"))
        .alias("Thời điểm xử lý"),
        pl.col("reason").alias("Lý do"), pl.col("commenter").alias("Người bình luận"),
        pl.col("flagged_at").alias("_flagged_at"),
    )


def _write_facebook(seed: int, out_dir: Path, folders: dict[str, Path], articles: pl.DataFrame,
                    files: dict[str, list[str]], rows: dict[str, int]) -> pl.DataFrame:
    """Weekly Business Suite post exports (some with Vietnamese headers) and monthly Graph API insights files."""
    fb_posts = _facebook_posts(seed, articles)
    rows["facebook_post_rows"] = 0
    for exported in _export_days():
        export = _facebook_export(fb_posts, exported)
        if exported in VIETNAMESE_EXPORTS:
            export = export.rename(FB_VI_COLUMNS)
        path = folders["facebook/posts"] / f"meta_posts_{exported:%Y-%m-%d}.csv"
        write_csv(export, path, bom=True)
        files["facebook"].append(path.relative_to(out_dir).as_posix())
        rows["facebook_post_rows"] += export.height

    fb_followers, _ = _followers(seed, "facebook", 152_000, 95.0)
    rows["facebook_insight_values"] = 0
    month = DATE_FROM
    while month <= DATE_TO:
        month_end = min((month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1), DATE_TO)
        lines = _insights_month(seed, month, month_end, fb_followers, fb_posts)
        path = folders["facebook/insights"] / f"page_insights_{month:%Y-%m}.ndjson"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files["facebook"].append(path.relative_to(out_dir).as_posix())
        rows["facebook_insight_values"] += sum(len(json.loads(line)["values"]) for line in lines)
        month = month_end + dt.timedelta(days=1)
    return fb_posts


def _write_zalo_articles(seed: int, out_dir: Path, folders: dict[str, Path], articles: pl.DataFrame,
                         files: dict[str, list[str]], rows: dict[str, int]) -> pl.DataFrame:
    """Monthly OA article lists (the last one saved from Excel)."""
    zalo_posts = _zalo_articles(seed, articles)
    rows["zalo_article_rows"] = 0
    month_ends = sorted({(d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
                         for d in (DATE_FROM + dt.timedelta(days=i) for i in range(N_DAYS))})
    for exported in month_ends:
        export = _zalo_export(zalo_posts, exported)
        if exported == month_ends[-1]:  # the last list was saved from Excel
            path = folders["zalo/articles"] / f"zalo_bai_viet_{exported:%Y-%m-%d}.xlsx"
            write_xlsx(export.with_columns(pl.all().cast(pl.String)), path)
        else:
            path = folders["zalo/articles"] / f"zalo_bai_viet_{exported:%Y-%m-%d}.csv"
            write_csv(export, path, bom=True)
        files["zalo"].append(path.relative_to(out_dir).as_posix())
        rows["zalo_article_rows"] += export.height
    return zalo_posts


def _write_zalo_audience(seed: int, out_dir: Path, folders: dict[str, Path], files: dict[str, list[str]],
                         rows: dict[str, int]) -> None:
    """Yearly follower snapshots and monthly interaction tables of the OA's statistics page."""
    zalo_followers, zalo_moves = _followers(seed, "zalo", 214_000, 140.0)
    rows["zalo_follower_rows"] = rows["zalo_interaction_rows"] = 0
    interactions_rng = _rng(seed, "zalo", 9)
    for year in sorted({d.year for d in zalo_followers}):
        days = [d for d in zalo_followers if d.year == year]
        frame = pl.DataFrame({"Ngày": [d.strftime("%d/%m/%Y") for d in days],
                              "Số người quan tâm": [zalo_followers[d] for d in days]})
        path = folders["zalo/followers"] / f"zalo_nguoi_quan_tam_{year}.csv"
        write_csv(frame, path, bom=True)
        files["zalo"].append(path.relative_to(out_dir).as_posix())
        rows["zalo_follower_rows"] += frame.height
    for label in sorted({d.strftime("%Y-%m") for d in zalo_moves}):
        days = [d for d in zalo_moves if d.strftime("%Y-%m") == label]
        received = interactions_rng.poisson(60, len(days))
        frame = pl.DataFrame({
            "Ngày": [d.strftime("%d/%m/%Y") for d in days], "Người quan tâm mới": [zalo_moves[d][0] for d in days],
            "Bỏ quan tâm": [zalo_moves[d][1] for d in days], "Tin nhắn nhận": received,
            "Tin nhắn đã trả lời": np.floor(received * interactions_rng.uniform(0.8, 1.0, len(days))).astype(np.int64),
        })
        path = folders["zalo/interactions"] / f"zalo_thong_ke_{label}.csv"
        write_csv(frame, path, bom=True)
        files["zalo"].append(path.relative_to(out_dir).as_posix())
        rows["zalo_interaction_rows"] += frame.height


def write_social(out_dir: Path, config: Preset, seed: int, registry: pl.DataFrame, calendar: WorkingCalendar,
                 files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """Facebook (weekly post exports, monthly insights), Zalo (article lists, followers, interactions), moderation log."""
    folders = {name: out_dir / name for name in ("facebook/posts", "facebook/insights", "zalo/articles", "zalo/followers",
                                                 "zalo/interactions", "moderation")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for key in ("facebook", "zalo", "moderation"):
        files.setdefault(key, [])
    articles = _portal_articles(seed, config, registry, calendar)
    fb_posts = _write_facebook(seed, out_dir, folders, articles, files, rows)
    zalo_posts = _write_zalo_articles(seed, out_dir, folders, articles, files, rows)
    _write_zalo_audience(seed, out_dir, folders, files, rows)

    log = _moderation(seed, fb_posts, zalo_posts)
    rows["moderation_rows"] = log.height
    for q_start, q_end in QUARTERS:
        part = log.filter(pl.col("_flagged_at").dt.date().is_between(q_start, q_end)).drop("_flagged_at")
        path = folders["moderation"] / f"kiem_duyet_{quarter_label(q_start)}.csv"
        write_csv(part, path, bom=True)
        files["moderation"].append(path.relative_to(out_dir).as_posix())
    return {"portal_articles": articles.height, "facebook_posts": fb_posts.height, "zalo_articles": zalo_posts.height,
            "facebook_vietnamese_exports": [d.isoformat() for d in VIETNAMESE_EXPORTS],
            "insights_removed_metric_names_until": REMOVED_NAMES_UNTIL.isoformat()}
