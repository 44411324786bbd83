"""The "Mạng xã hội" section of a period page (Facebook fanpage, Zalo OA): sentences and tables from the social marts."""
from __future__ import annotations

from reports.format import esc, fmt_int, fmt_pct, period_label
from reports.marts import Marts, Period, Row
from reports.pages import Column, num_cell, table_html

CHANNEL_LABELS = {"facebook": "Fanpage Facebook", "zalo": "Zalo OA"}
SOCIAL_MARTS = ("kpi_social_monthly", "kpi_social_crossposting", "kpi_social_moderation", "fct_social_posts")


def _b(text: str) -> str:
    return f"<strong>{esc(text)}</strong>"


def _monthly(m: Marts, period: Period) -> list[Row]:
    return [r for r in m._table("select * from marts.kpi_social_monthly order by month, channel")
            if r["month"] in period.months]


def _crossposting(m: Marts, period: Period) -> list[Row]:
    return [r for r in m._table("select * from marts.kpi_social_crossposting order by month") if r["month"] in period.months]


def _moderation(m: Marts, period: Period) -> list[Row]:
    return [r for r in m._table("select * from marts.kpi_social_moderation order by month, channel nulls first")
            if r["month"] in period.months]


def _top_posts(m: Marts, period: Period, limit: int = 5) -> list[Row]:
    return m.rows(
        """select channel, title, published_date, views, engagements, engagements_after_n_days, engagement_after_days
           from marts.fct_social_posts where published_date between ? and ?
           order by engagements desc, published_at, channel, post_id limit ?""",
        [period.start, period.end, limit])


def social_summary(period: Period, headline: dict[str, Row], monthly: list[Row]) -> list[str]:
    """Sentences for the page's summary and the section's opening."""
    sentences = []
    posts = headline.get("social_posts")
    if posts is not None and posts.get("value") is not None:
        by_channel = {}
        for row in monthly:
            by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + (row["posts"] or 0)
        parts = ", ".join(f"{CHANNEL_LABELS.get(c, c)} {fmt_int(n)}" for c, n in sorted(by_channel.items()))
        sentences.append(f"Mạng xã hội: {_b(fmt_int(posts['value']))} bài đăng" + (f" ({esc(parts)})" if parts else "") + ".")
    shared = headline.get("social_crossposted_pct")
    if shared is not None and shared.get("value") is not None:
        sentences.append(f"{_b(fmt_pct(shared['value']))} bài của Sở trên Cổng thông tin được chia sẻ lên fanpage hoặc "
                         "Zalo OA trong thời hạn.")
    moderation = headline.get("moderation_within_window_pct")
    if moderation is not None and moderation.get("value") is not None:
        met = moderation.get("meets_target")
        verdict = " (đạt mục tiêu)" if met is True else " (chưa đạt mục tiêu " + fmt_pct(moderation["target"]) + ")" if met is False else ""
        sentences.append(f"{_b(fmt_pct(moderation['value']))} bình luận bị gắn cờ (vi phạm, sai sự thật, cần trả lời) được xử lý trong thời hạn"
                         + esc(verdict) + ".")
    return sentences


def social_section(m: Marts, period: Period, headline: dict[str, Row]) -> str:
    """The section, or '' when the warehouse has no social marts (built before the social sources existed)."""
    if not all(table in m.columns for table in SOCIAL_MARTS):
        return ""
    when = period_label(period.code)
    monthly = _monthly(m, period)
    parts = [f"<p>{s}</p>" for s in social_summary(period, headline, monthly)]

    if monthly:
        columns = [
            Column("channel", "Kênh", lambda r: esc(CHANNEL_LABELS.get(r["channel"], r["channel"]))),
            Column("month", "Tháng", lambda r: esc(period_label(r["month"]))),
            Column("posts", "Bài đăng", num_cell("posts"), True),
            Column("views", "Lượt xem", num_cell("views"), True),
            Column("reach", "Tiếp cận", num_cell("reach"), True),
            Column("engagement_per_post", "Tương tác / bài", num_cell("engagement_per_post", "number"), True),
            Column("engagement_rate_pct", "Tỷ lệ tương tác", num_cell("engagement_rate_pct", "pct"), True),
            Column("followers_end", "Người theo dõi cuối tháng", num_cell("followers_end"), True),
            Column("follower_growth", "Tăng trong tháng", num_cell("follower_growth"), True),
        ]
        parts.append(f"<h3>Theo kênh và tháng, {esc(when)}</h3>"
                     + table_html(columns, monthly, lambda r: {"data-channel": r["channel"], "data-month": r["month"]}))
        parts.append('<p class="muted">Số liệu bài đăng lấy từ lần xuất mới nhất (số liệu của một bài còn tăng sau tháng '
                     'đăng). Tỷ lệ tương tác: tương tác / người tiếp cận (Facebook), / lượt xem (Zalo).</p>')
    else:
        parts.append(f"<p>Chưa có số liệu mạng xã hội cho {esc(when)}.</p>")

    crossposting = _crossposting(m, period)
    if crossposting:
        window = crossposting[0]["crosspost_window_days"]
        columns = [
            Column("month", "Tháng", lambda r: esc(period_label(r["month"]))),
            Column("portal_articles", "Bài trên Cổng", num_cell("portal_articles"), True),
            Column("shared_facebook_pct", "Lên fanpage", num_cell("shared_facebook_pct", "pct"), True),
            Column("shared_zalo_pct", "Lên Zalo OA", num_cell("shared_zalo_pct", "pct"), True),
            Column("shared_any_pct", "Ít nhất một kênh", num_cell("shared_any_pct", "pct"), True),
            Column("shared_ever_count", "Đã chia sẻ (kể cả muộn)", num_cell("shared_ever_count"), True),
        ]
        parts.append(f"<h3>Chia sẻ bài của Cổng thông tin trong {esc(fmt_int(window))} ngày</h3>"
                     + table_html(columns, crossposting, lambda r: {"data-month": r["month"]}))

    if "fct_portal_articles_shared" in m.columns:
        late = m.rows(
            """select title, url, published_at, facebook_shared_at, zalo_shared_at from marts.fct_portal_articles_shared
               where not shared_within_window and published_at >= ? and published_at < ? + interval 1 day
               order by published_at, submission_id""", [period.start, period.end])
        if late:
            columns = [
                Column("title", "Bài trên Cổng", lambda r: f'<a href="{esc(r["url"])}">{esc(r["title"])}</a>' if r["url"]
                       else esc(r["title"])),
                Column("published_at", "Đăng trên Cổng", lambda r: esc(r["published_at"].strftime("%d/%m/%Y %H:%M"))),
                Column("facebook_shared_at", "Lên fanpage", lambda r: esc(r["facebook_shared_at"].strftime("%d/%m/%Y %H:%M"))
                       if r["facebook_shared_at"] else "chưa"),
                Column("zalo_shared_at", "Lên Zalo OA", lambda r: esc(r["zalo_shared_at"].strftime("%d/%m/%Y %H:%M"))
                       if r["zalo_shared_at"] else "chưa"),
            ]
            parts.append(f"<details><summary>{esc(fmt_int(len(late)))} bài trên Cổng chưa được chia sẻ đúng hạn, "
                         f"{esc(when)}</summary>{table_html(columns, late)}</details>")

    moderation = [r for r in _moderation(m, period) if r["channel"] is not None]
    if moderation:
        window = moderation[0]["moderation_window_hours"]
        columns = [
            Column("channel", "Kênh", lambda r: esc(CHANNEL_LABELS.get(r["channel"], r["channel"]))),
            Column("month", "Tháng", lambda r: esc(period_label(r["month"]))),
            Column("flagged_count", "Bình luận bị gắn cờ", num_cell("flagged_count"), True),
            Column("handled_within_window_pct", f"Xử lý trong {fmt_int(window)} giờ",
                   num_cell("handled_within_window_pct", "pct"), True),
            Column("removed_count", "Đã ẩn / xoá", num_cell("removed_count"), True),
            Column("pending_count", "Chưa xử lý", num_cell("pending_count"), True),
            Column("median_hours_to_action", "Trung vị (giờ)", num_cell("median_hours_to_action", "number"), True),
        ]
        parts.append("<h3>Kiểm duyệt bình luận (Luật Công nghệ thông tin, Điều 12)</h3>"
                     + table_html(columns, moderation, lambda r: {"data-channel": r["channel"], "data-month": r["month"]}))

    top = _top_posts(m, period)
    if top:
        days = top[0]["engagement_after_days"]
        columns = [
            Column("channel", "Kênh", lambda r: esc(CHANNEL_LABELS.get(r["channel"], r["channel"]))),
            Column("title", "Bài đăng", lambda r: esc(r["title"] or "")),
            Column("views", "Lượt xem", num_cell("views"), True),
            Column("engagements", "Tương tác", num_cell("engagements"), True),
            Column("engagements_after_n_days", f"Tương tác sau {fmt_int(days)} ngày",
                   num_cell("engagements_after_n_days"), True),
        ]
        parts.append(f"<h3>Bài đăng nhiều tương tác nhất, {esc(when)}</h3>" + table_html(columns, top))
    return f'<section class="page-break" id="mang-xa-hoi"><h2>Mạng xã hội</h2>{"".join(parts)}</section>'
