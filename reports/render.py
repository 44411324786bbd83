"""Renders the self-contained HTML reports (index, one page per period, one scorecard per unit) from the published marts."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from reports import charts
from reports.format import (
    MISSING,
    QUOTA_STATUS_LABELS,
    UNIT_TYPE_LABELS,
    UNIT_TYPE_ORDER,
    esc,
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_pct,
    join_names,
    month_number,
    natural_key,
    period_grain,
    period_label,
    safe_filename,
    short_unit_name,
)
from edukpi.settings import LOCAL_TZ
from reports.issues import issues_section, issues_summary
from reports.marts import Marts, Period, Row
from reports import workbook
from reports.pages import PLOTLY_BUNDLE, REPORT_NAME, Column, cards_html, chart_html, num_cell, page_html, table_html
from reports.plan_disclosure import disclosure_section, plan_coverage_section
from reports.officers import officers_section
from reports.press import press_section, press_summary
from reports.social import social_section, social_summary

LOCAL_ZONE = ZoneInfo(LOCAL_TZ)
UNITS_DIR = "don-vi"
# The one copy of plotly.js in the report folder that every page loads (keeps the vendored file's versioned name).
PLOTLY_FILENAME = PLOTLY_BUNDLE.name


def period_filename(code: str) -> str:
    return f"bao-cao-{code}.html"


def single_filename(code: str) -> str:
    return f"bao-cao-{code}-mot-tep.html"


def workbook_filename(code: str) -> str:
    return f"bao-cao-{code}.xlsx"


def unit_filename(unit_code: str) -> str:
    return f"{UNITS_DIR}/{safe_filename(unit_code)}.html"


@dataclass
class Context:
    marts: Marts
    out_dir: Path
    generated_at: dt.datetime
    as_of: str
    as_of_date: dt.date | None
    units: list[Row]
    unit_by_code: dict[str, Row]
    period_files: dict[str, str]  # period code -> file name, for every period report that exists after this run
    source_name: str
    # The single-file form (for e-mail): plotly.js inline and no links to other pages of the folder, which the reader
    # of a mailed file does not have.
    single_file: bool = False

    def plotly_src(self, prefix: str) -> str | None:
        return None if self.single_file else prefix + PLOTLY_FILENAME


def _write(path: Path, page: bytes) -> Path:
    """Atomic: a reader (or a browser reloading) never sees half a page. `page` is the UTF-8 encoded HTML."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(page)
    os.replace(tmp, path)
    return path


def no_data(what: str) -> str:
    """The section of a source that has delivered nothing (no file of it loaded): said, never left blank or read as 0."""
    return f'<p class="no-data">Chưa có dữ liệu {esc(what)}.</p>'


def nowrap(text: str) -> str:
    return f'<span class="nw">{esc(text)}</span>'


def bold(text: str) -> str:
    return f"<strong>{nowrap(text)}</strong>"


def unit_link(ctx: Context, unit_code: str | None, name: str | None, prefix: str = "", short: bool = False) -> str:
    if not unit_code:
        return esc(name or MISSING)  # the department's rows carry its name (unit_name) in every kpi_* mart
    label = short_unit_name(name) if short else (name or unit_code)
    if unit_code in ctx.unit_by_code and not ctx.single_file:
        return f'<a href="{esc(prefix + unit_filename(unit_code))}">{esc(label)}</a>'
    return esc(label)


def status_badge(status: str) -> str:
    css = {"met": "met", "running_met": "met", "not_met": "not-met", "running_not_met": "not-met",
           "at_risk": "risk", "on_track": "track"}.get(status, "none")
    return f'<span class="badge {css}">{esc(QUOTA_STATUS_LABELS[status])}</span>'


def unit_sort_key(unit: Row) -> tuple:
    """Registry order people expect: numbered districts, named districts, Thủ Đức city, rural districts; then by name."""
    type_rank = UNIT_TYPE_ORDER.index(unit["unit_type"]) if unit["unit_type"] in UNIT_TYPE_ORDER else len(UNIT_TYPE_ORDER)
    name = (unit.get("unit_name") or unit.get("unit_code") or "").casefold()
    place_rank = 0
    if unit["unit_type"] == "district_office":
        if re.search(r"quận \d", name):
            place_rank = 0
        elif "huyện" in name:
            place_rank = 3
        elif "thành phố" in name:
            place_rank = 2
        else:
            place_rank = 1
    return (type_rank, place_rank, natural_key(short_unit_name(unit.get("unit_name") or unit.get("unit_code"))))


def sort_units(units: list[Row]) -> list[Row]:
    return sorted(units, key=unit_sort_key)


# ---- period report -------------------------------------------------------------------------------------------
def quota_summary(ctx: Context, period: Period, headline: dict[str, Row], quota_rows: list[Row]) -> list[str]:
    """Sentences about the article quota of the quarter holding the period."""
    rows = [r for r in quota_rows if r["quarter"] == period.quarter]
    if not rows:
        return []
    when = period_label(period.quarter)
    running = any(r["quarter_status"] == "running" for r in rows)
    district = [r for r in rows if r["unit_type"] == "district_office"]
    others = [r for r in rows if r["unit_type"] != "district_office"]
    sentences = []
    intro = f"Trong {esc(when)}," if not running else f"{esc(when)} đang diễn ra (số liệu đến {esc(ctx.as_of)}):"
    if district:
        quota = district[0]["quota"]
        met = headline.get("district_offices_meeting_quota") if period.grain == "quarter" else None
        behind = [short_unit_name(r["unit_name"]) for r in sorted(district, key=unit_sort_key) if r["is_behind_quota"]]
        verb = "đã đạt" if running else "đạt"
        if met is not None and met.get("value") is not None:
            count = fmt_int(met["value"]) + (f"/{fmt_int(met['target'])}" if met.get("target") is not None else "")
            text = f"{intro} {bold(count)} phòng GDĐT {verb} chỉ tiêu {esc(fmt_int(quota))} bài/quý"
        else:
            text = f"{intro} chỉ tiêu của phòng GDĐT là {esc(fmt_int(quota))} bài/quý"
        ahead = [short_unit_name(r["unit_name"]) for r in sorted(district, key=unit_sort_key) if not r["is_behind_quota"]]
        if behind and ahead and len(behind) > len(ahead):
            # Most are behind: naming the few that made it is the shorter, clearer sentence.
            text += f" ({esc(join_names(ahead, 10))}); " + ("các phòng còn lại có nguy cơ chưa đạt." if running
                                                             else "các phòng còn lại chưa đạt.")
        elif behind:
            text += ("; có nguy cơ chưa đạt: " if running else "; chưa đạt: ") + f"<strong>{esc(join_names(behind, 10))}</strong>."
        else:
            text += "; tất cả các phòng GDĐT đều " + ("đã đạt hoặc đúng tiến độ." if running else "đạt.")
        sentences.append(text)
    if others:
        behind = [short_unit_name(r["unit_name"]) for r in sorted(others, key=unit_sort_key) if r["is_behind_quota"]]
        share = headline.get("units_meeting_quota_pct") if period.grain == "quarter" else None
        ahead = [short_unit_name(r["unit_name"]) for r in sorted(others, key=unit_sort_key) if not r["is_behind_quota"]]
        quotas = sorted({r["quota"] for r in others})
        quota_words = fmt_int(quotas[0]) + (f"–{fmt_int(quotas[-1])}" if len(quotas) > 1 else "")
        text = f"Đơn vị trực thuộc và trung tâm GDNN-GDTX (chỉ tiêu {esc(quota_words)} bài/quý): "
        if behind and ahead and len(behind) > len(ahead):
            text += (("đã đạt: " if running else "chỉ có ") + f"<strong>{esc(join_names(ahead, 8))}</strong>"
                     + (" đạt" if not running else "") + ", các đơn vị còn lại "
                     + ("có nguy cơ chưa đạt" if running else "chưa đạt"))
        elif behind:
            text += ("có nguy cơ chưa đạt: " if running else "chưa đạt: ") + f"<strong>{esc(join_names(behind, 8))}</strong>"
        else:
            text += "tất cả " + ("đã đạt hoặc đúng tiến độ" if running else "đạt")
        if share is not None and share.get("value") is not None:
            text += f"; tính chung {bold(fmt_pct(share['value']))} đơn vị có chỉ tiêu đã đạt"
        sentences.append(text + ".")
    return sentences


def feedback_summary(period: Period, headline: dict[str, Row], dept: Row | None) -> list[str]:
    sentences = []
    received = headline.get("feedback_received")
    within = headline.get("feedback_within_sla_pct")
    parts = []
    if received is not None and received.get("value") is not None:
        parts.append(f"Tiếp nhận {bold(fmt_int(received['value']))} phản ánh, kiến nghị")
    if within is not None and within.get("value") is not None:
        text = f"{bold(fmt_pct(within['value']))} được trả lời đúng hạn"
        if within.get("target") is not None:
            verdict = {True: "đạt", False: "chưa đạt"}.get(within.get("meets_target"), "")
            text += f" (mục tiêu {nowrap(fmt_pct(within['target']))}{': ' + verdict if verdict else ''})"
        parts.append(text)
    if parts:
        sentences.append("; ".join(parts) + ".")
    if dept and dept.get("median_working_days") is not None:
        sentences.append(f"Một nửa số phản ánh được trả lời trong {bold(fmt_number(dept['median_working_days']))} ngày làm việc"
                         + (f"; 90 % trong {bold(fmt_number(dept['p90_working_days']))} ngày."
                            if dept.get("p90_working_days") is not None else "."))
    if dept and dept.get("answered_count"):
        right = []
        if dept.get("answered_by_assigned_unit_pct") is not None:
            right.append(f"{bold(fmt_pct(dept['answered_by_assigned_unit_pct']))} do đúng đơn vị được giao trả lời")
        if dept.get("answered_by_authorised_title_pct") is not None:
            right.append(f"{bold(fmt_pct(dept['answered_by_authorised_title_pct']))} do đúng chức danh ký trả lời")
        if right:
            sentences.append("Trong số phản ánh đã trả lời: " + "; ".join(right) + ".")
    overdue = headline.get("feedback_open_overdue")
    if overdue is not None and overdue.get("value") is not None:
        if overdue["value"]:
            sentences.append(f"Còn {bold(fmt_int(overdue['value']))} phản ánh quá hạn chưa được trả lời.")
        else:
            sentences.append("Không còn phản ánh nào quá hạn chưa trả lời.")
    return sentences


def pct_change_words(change_pct: float | None, versus: str) -> str:
    """' (tăng 47,7 % so với tháng trước)': the direction in words, not only a sign."""
    if change_pct is None:
        return ""
    if round(change_pct, 1) == 0:
        return f" (không đổi so với {esc(versus)})"
    word = "tăng" if change_pct > 0 else "giảm"
    return f" ({word} {nowrap(fmt_pct(abs(change_pct)))} so với {esc(versus)})"


def change_words(row: Row, kind: str, previous_label: str | None) -> str:
    change = row.get("change")
    if change is None or not previous_label:
        return ""
    if change == 0:
        return f", không đổi so với {esc(previous_label)}"
    word = "tăng" if change > 0 else "giảm"
    amount = fmt_number(change).lstrip("-")
    unit = " điểm %" if kind == "pct" else ""
    return f", {word} {nowrap(amount + unit)} so với {esc(previous_label)}"


def portal_summary(period: Period, headline: dict[str, Row], monthly: list[Row], previous_label: str | None,
                   portal_rows: list[Row] = ()) -> list[str]:
    sentences = []
    views = headline.get("portal_pageviews")
    if views is not None and views.get("value") is not None:
        text = (f"Cổng thông tin và các trang thành phần có {bold(fmt_int(views['value']))} lượt xem"
                + change_words(views, "count", previous_label))
        in_period = [r for r in monthly if r["month"] in period.months and r["pageviews"] is not None]
        if period.grain == "quarter" and in_period:
            peak = max(in_period, key=lambda row: (row["pageviews"], row["month"]))
            text += f"; cao nhất vào {esc(period_label(peak['month']))}"
            if month_number(peak["month"]) in charts.EXAM_SEASON_MONTHS:
                text += f" ({esc(charts.EXAM_SEASON_NOTE)})"
        sentences.append(text + ".")
    # Reach: the portal's own distinct users when its source names visitors (all sites together mix sources, so their
    # figure is user-days only), else the all-sites user-days, said as such.
    month = period.months[-1]
    portal_row = next((r for r in portal_rows if r["month"] == month), None)
    all_row = next((r for r in monthly if r["month"] == month), None)
    if portal_row is not None and portal_row.get("users") is not None:
        sentences.append(f"{esc(period_label(month))}: {users_phrase(portal_row)} truy cập cổng {esc(portal_row['site'])}.")
    elif all_row is not None and users_phrase(all_row):
        sentences.append(f"{esc(period_label(month))}: {users_phrase(all_row)} trên cổng thông tin và các trang thành phần.")
    published = headline.get("articles_published")
    if published is not None and published.get("value") is not None:
        sentences.append(f"{bold(fmt_int(published['value']))} bài viết của các đơn vị được đăng trong {esc(period_label(period.code))}"
                         " (tính theo ngày đăng)" + change_words(published, "count", previous_label) + ".")
    return sentences


def users_phrase(row: Row) -> str:
    """The month's reach: distinct users where the sources name visitors, otherwise user-days, said as such."""
    if row.get("users") is not None:
        return f"{bold(fmt_int(row['users']))} người dùng (không trùng trong tháng)"
    if row.get("user_days") is not None:
        return (f"{bold(fmt_int(row['user_days']))} lượt người dùng theo ngày (một người vào nhiều ngày được đếm nhiều lần; "
                "nguồn số liệu không cho đếm người dùng không trùng)")
    return ""


def users_columns() -> list[Column]:
    return [
        Column("users", "Người dùng (không trùng trong tháng)", num_cell("users"), True),
        Column("user_days", "Lượt người dùng theo ngày", num_cell("user_days"), True),
    ]


def feedback_unit_table(ctx: Context, rows: list[Row], prefix: str = "") -> str:
    rows = sorted(rows, key=lambda row: (row["answered_within_sla_pct"] is None,
                                       row["answered_within_sla_pct"] if row["answered_within_sla_pct"] is not None else 0,
                                       natural_key(short_unit_name(row["unit_name"] or row["unit_code"] or ""))))
    columns = [
        Column("unit", "Đơn vị", lambda row: unit_link(ctx, row["unit_code"], row["unit_name"], prefix, short=True)),
        Column("received_count", "Tiếp nhận", num_cell("received_count"), True),
        Column("answered_count", "Đã trả lời", num_cell("answered_count"), True),
        Column("answered_within_sla_pct", "Đúng hạn", num_cell("answered_within_sla_pct", "pct"), True),
        Column("median_working_days", "Trung vị (ngày LV)", num_cell("median_working_days", "number"), True),
        Column("open_backlog_over_10", "Mở > 10 ngày", num_cell("open_backlog_over_10"), True),
        Column("answered_by_assigned_unit_pct", "Đúng đơn vị trả lời", num_cell("answered_by_assigned_unit_pct", "pct"), True),
        Column("answered_by_authorised_title_pct", "Đúng chức danh trả lời", num_cell("answered_by_authorised_title_pct", "pct"), True),
        Column("answers_published_pct", "Trả lời được công khai", num_cell("answers_published_pct", "pct"), True),
    ]
    return table_html(columns, rows, lambda row: {"data-unit": row["unit_code"] or "", "data-period": row["period"]})


def quota_table(ctx: Context, rows: list[Row], prefix: str = "", show_unit: bool = True) -> str:
    columns = []
    if show_unit:
        columns.append(Column("unit", "Đơn vị", lambda row: unit_link(ctx, row["unit_code"], row["unit_name"], prefix, short=True)))
    else:
        columns.append(Column("quarter", "Quý", lambda row: esc(period_label(row["quarter"]))))
    columns += [
        Column("articles_submitted", "Bài gửi trong quý (không tính bài rút lại)", num_cell("articles_submitted"), True),
        Column("quota", "Chỉ tiêu", num_cell("quota"), True),
        Column("articles_published", "Trong đó đã được đăng", num_cell("articles_published"), True),
        Column("projected_articles", "Dự kiến cuối quý", num_cell("projected_articles", "number"), True),
        Column("status", "Tình trạng", lambda row: status_badge(row["quota_status"])),
    ]
    return table_html(columns, rows, lambda row: {"data-unit": row["unit_code"], "data-quarter": row["quarter"]})


def period_summary(ctx: Context, period: Period, prefix: str = "") -> list[str]:
    """The plain-language sentences that open a period report (and the index, for the latest quarter)."""
    m = ctx.marts
    headline = m.headline(period)
    previous = m.previous_period(period)
    previous_label = period_label(previous) if previous else None
    quota_rows = m.quota_rows(up_to_quarter=period.quarter)
    dept_fb = m.feedback(period.grain, period=period.code)
    portal_all = m.portal_monthly(None, up_to_month=period.months[-1])[-13:]
    return (quota_summary(ctx, period, headline, quota_rows) + feedback_summary(period, headline, dept_fb[0] if dept_fb else None)
            + portal_summary(period, headline, portal_all, previous_label, m.portal_monthly(m.portal_host()))
            + social_summary(period, headline, []) + issues_summary(period, headline) + press_summary(headline))


def period_page(ctx: Context, period: Period) -> bytes:
    m = ctx.marts
    headline = m.headline(period)
    previous = m.previous_period(period)
    previous_label = period_label(previous) if previous else None
    when = period_label(period.code)
    quota_rows = m.quota_rows(up_to_quarter=period.quarter)
    quarters = sorted({r["quarter"] for r in quota_rows})[-8:]  # two years keep the cells readable
    dept_fb = m.feedback(period.grain, period=period.code)
    dept_fb_row = dept_fb[0] if dept_fb else None
    portal_all = m.portal_monthly(None, up_to_month=period.months[-1])[-13:]

    summary = period_summary(ctx, period)
    summary_html = "".join(f"<li>{s}</li>" for s in summary) or "<li>Chưa có số liệu cho kỳ này.</li>"
    running_note = ""
    if ctx.marts.period_is_running(period):
        running_note = (f'<p class="muted">{esc(when)} chưa kết thúc: số liệu đến ngày {esc(ctx.as_of)}; '
                        f"so sánh với cả {esc(previous_label or 'kỳ trước')} chỉ để tham khảo.</p>")
    parts = [f'<section class="summary" id="tom-tat"><h2>Tóm tắt {esc(when)}</h2><ul>{summary_html}</ul>'
             f"{running_note}{cards_html(headline, previous_label)}</section>"]

    # Article quota ------------------------------------------------------------------------------------------
    quota_parts = []
    current_rows = [r for r in quota_rows if r["quarter"] == period.quarter]
    for group_types, group_label in ((("district_office",), "Phòng GDĐT"),
                                     (("affiliated_unit", "gdnn_gdtx_centre"), "Đơn vị trực thuộc và trung tâm GDNN-GDTX")):
        group_rows = [r for r in quota_rows if r["unit_type"] in group_types]
        if not group_rows:
            continue
        codes = {r["unit_code"] for r in group_rows}
        units = sort_units([ctx.unit_by_code.get(c) or {"unit_code": c, "unit_name": next(r["unit_name"] for r in group_rows if r["unit_code"] == c),
                                                        "unit_type": group_types[0]} for c in codes])
        quota_parts.append(chart_html(charts.quota_heatmap(f"quota-{group_types[0]}", group_rows, units, quarters, period.quarter, group_label)))
    if current_rows:
        running = any(r["quarter_status"] == "running" for r in current_rows)
        heading = ("Đơn vị có nguy cơ chưa đạt chỉ tiêu " if running else "Đơn vị chưa đạt chỉ tiêu ") + period_label(period.quarter)
        names = []
        for group_types, group_label in ((("district_office",), "Phòng GDĐT"), (("affiliated_unit",), "Đơn vị trực thuộc"),
                                         (("gdnn_gdtx_centre",), "Trung tâm GDNN-GDTX")):
            behind = [r for r in sorted(current_rows, key=unit_sort_key)
                      if r["unit_type"] in group_types and r["is_behind_quota"]]
            if behind:
                links = ", ".join(unit_link(ctx, r["unit_code"], r["unit_name"], "", short=True) for r in behind)
                names.append(f'<p class="behind" data-unit-type="{esc(group_types[0])}"><strong>{esc(group_label)}:</strong> {links}</p>')
        quota_parts.insert(0, f"<h3>{esc(heading)}</h3>" + ("".join(names) or "<p>Tất cả đơn vị có chỉ tiêu đều đạt.</p>"))
        # The full table: units behind first, then the others, each in registry order.
        full = sorted(current_rows, key=lambda row: (not row["is_behind_quota"], unit_sort_key(row)))
        quota_parts.append(f'<details class="quota-all"><summary>Bảng chi tiết: mọi đơn vị có chỉ tiêu, {esc(period_label(period.quarter))}</summary>'
                           f"{quota_table(ctx, full)}</details>")
    if not quota_parts:
        quota_parts.append(no_data(f"về bài viết các đơn vị gửi đến hết {period_label(period.quarter)} (chưa có danh sách bài gửi)"))
    intro = ""
    if period.grain == "month":
        intro = f'<p class="muted">Chỉ tiêu tính theo quý: {esc(when)} thuộc {esc(period_label(period.quarter))}.</p>'
    parts.append(f'<section class="page-break" id="chi-tieu"><h2>Chỉ tiêu bài viết theo quý</h2>{intro}{"".join(quota_parts)}</section>')

    # Feedback -----------------------------------------------------------------------------------------------
    fb_parts = []
    months_fb = m.feedback("month", up_to=period.months[-1])[-13:]  # a year and the same month a year before
    if months_fb:
        target_row = headline.get("feedback_within_sla_pct")
        fb_parts.append(chart_html(charts.sla_trend("sla-trend", months_fb, target_row.get("target") if target_row else None,
                                                    set(period.months), "month")))
    tickets = m.response_times(period)
    if tickets:
        fb_parts.append(chart_html(charts.response_distribution("response-times", tickets, dept_fb_row, when,
                                                                  m.feedback_deadlines())))
    else:
        fb_parts.append(f"<p>Chưa có phản ánh nào tiếp nhận trong {esc(when)} được trả lời.</p>")
    unit_fb = m.feedback(period.grain, period=period.code, all_units=True)
    backlog = charts.backlog_bars("backlog", unit_fb, dept_fb_row, when, headline.get("feedback_open_overdue"))
    if backlog is not None:
        fb_parts.append(chart_html(backlog))
    else:
        fb_parts.append(f"<p><strong>Không có phản ánh tồn đọng</strong> trong số phản ánh tiếp nhận {esc(when)}.</p>")
    if unit_fb:
        fb_parts.append(f"<details open><summary>Theo đơn vị được giao, {esc(when)} (tỷ lệ đúng hạn thấp nhất trước)</summary>"
                        f"{feedback_unit_table(ctx, unit_fb)}</details>")
    if not months_fb and dept_fb_row is None and not tickets:
        # No feedback export has been loaded up to this period: "no backlog" would read as good news.
        fb_parts = [no_data(f"về phản ánh, kiến nghị đến hết {when} (chưa có tệp phản ánh)")]
    parts.append(f'<section class="page-break" id="phan-anh"><h2>Phản ánh, kiến nghị của người dân</h2>{"".join(fb_parts)}</section>')

    # Portal -------------------------------------------------------------------------------------------------
    portal_parts = []
    if portal_all:
        portal_parts.append(chart_html(charts.portal_monthly_bars("portal-monthly", portal_all, set(period.months),
                                                                  "toàn cổng")))
    host = m.portal_host()
    daily = m.portal_daily(host, period.end - dt.timedelta(days=364), period.end)
    if daily:
        portal_parts.append(chart_html(charts.portal_daily_line("portal-daily", daily, host, (period.start, period.end))))
    top_month = m.latest_month_with_top_pages(period.months)
    if top_month:
        portal_parts.append(chart_html(charts.top_pages_bars("top-pages", m.top_pages([top_month], 10), top_month)))
        portal_parts.append(top_pages_table(m.top_pages(period.months, 5 if period.grain == "quarter" else 10), period))
    sites = m.portal_sites_in_month(period.months[-1])
    if sites:
        portal_parts.append(f"<h3>Trang thành phần, {esc(period_label(period.months[-1]))}</h3>" + sites_table(ctx, sites))
    parts.append(f'<section class="page-break" id="cong-thong-tin"><h2>Cổng thông tin điện tử</h2>{"".join(portal_parts) or no_data(f"về truy cập cổng thông tin đến hết {when}")}</section>')

    # Publication pipeline -----------------------------------------------------------------------------------
    pipe_rows = m.pipeline(up_to_quarter=period.quarter)
    current = next((r for r in pipe_rows if r["quarter"] == period.quarter), None)
    pipe_parts = [chart_html(charts.pipeline_stages("pipeline-stages", current, period.quarter)) if current
                  else f"<p>Chưa có bài gửi trong {esc(period_label(period.quarter))}.</p>" if pipe_rows
                  else no_data(f"về bài gửi đến hết {period_label(period.quarter)} (chưa có danh sách bài gửi)")]
    if pipe_rows:
        pipe_parts.append(chart_html(charts.pipeline_channels("pipeline-channels", pipe_rows, period.quarter)))
    intro = ""
    if period.grain == "month":
        intro = f'<p class="muted">Số liệu xuất bản tính theo quý: {esc(when)} thuộc {esc(period_label(period.quarter))}.</p>'
    parts.append(f'<section class="page-break" id="xuat-ban"><h2>Tiếp nhận và đăng bài của các đơn vị</h2>{intro}{"".join(pipe_parts)}</section>')

    parts.append(social_section(m, period, headline))
    parts.append(plan_coverage_section(m, period))
    parts.append(disclosure_section(m, period))
    parts.append(issues_section(m, period, headline))
    parts.append(press_section(m, period, headline))
    parts.append(officers_section(m, period))

    if ctx.single_file:
        note = ('<p class="muted downloads">Bản một tệp để gửi thư điện tử: đọc được khi mở riêng, không cần mạng; '
                "các liên kết sang báo cáo kỳ khác, trang từng đơn vị và tệp Excel đã được bỏ (chúng có trong thư mục "
                "báo cáo đầy đủ).</p>")
    else:
        parts.append(units_nav(ctx, ""))
        note = (f'<p class="downloads no-print"><a href="{esc(workbook_filename(period.code))}" download>Tải các bảng số liệu '
                f"{esc(when)} (Excel)</a></p>")
    return page_html(
        title=f"{when} — {REPORT_NAME}", heading=f"{REPORT_NAME}: {when}",
        subtitle=f"Từ {fmt_date(period.start)} đến {fmt_date(period.end)}" + (" (đang diễn ra)" if ctx.marts.period_is_running(period) else ""),
        body="\n".join(parts),
        generated_at=ctx.generated_at, as_of=ctx.as_of, crumbs_html="" if ctx.single_file else crumbs(ctx, ""),
        source_name=ctx.source_name, plotly_src=ctx.plotly_src(""), note_html=note,
    )



def top_pages_table(rows: list[Row], period: Period) -> str:
    columns = [
        Column("month", "Tháng", lambda row: esc(period_label(row["month"]))),
        Column("rank_in_month", "Hạng", num_cell("rank_in_month"), True),
        Column("page_title", "Trang", lambda row: f'{esc(charts.page_display_title(row))}<br><span class="muted">{esc(row["site"])}{esc(row["page_path"])}</span>'),
        Column("pageviews", "Lượt xem", num_cell("pageviews"), True),
    ]
    what = (f"5 trang được xem nhiều nhất mỗi tháng của {period_label(period.code)}" if period.grain == "quarter"
            else f"10 trang được xem nhiều nhất {period_label(period.code)}")
    return (f'<details open><summary>{esc(what)}</summary>'
            + table_html(columns, rows, lambda row: {"data-month": row["month"], "data-rank": str(row["rank_in_month"])}) + "</details>")


def sites_table(ctx: Context, rows: list[Row], prefix: str = "") -> str:
    columns = [
        Column("site", "Trang", lambda row: esc(row["site"])),
        Column("unit", "Đơn vị", lambda row: unit_link(ctx, row["unit_code"], row.get("unit_name"), prefix, short=True)),
        Column("pageviews", "Lượt xem", num_cell("pageviews"), True),
        Column("pageviews_change_pct", "So với tháng trước", signed_pct_cell("pageviews_change_pct"), True),
    ]
    return ('<details><summary>Lượt xem từng trang thành phần</summary>'
            + table_html(columns, rows, lambda row: {"data-site": row["site"]}) + "</details>")


def crumbs(ctx: Context, prefix: str) -> str:
    links = [f'<a href="{esc(prefix)}index.html">Trang chủ báo cáo</a>']
    for code, name in sorted(ctx.period_files.items(), key=lambda item: (period_grain(item[0]) != "quarter", item[0])):
        links.append(f'<a href="{esc(prefix + name)}">{esc(period_label(code))}</a>')
    return " · ".join(links)


def units_nav(ctx: Context, prefix: str) -> str:
    groups = []
    for unit_type in UNIT_TYPE_ORDER + sorted({u["unit_type"] for u in ctx.units} - set(UNIT_TYPE_ORDER)):
        members = [u for u in sort_units(ctx.units) if u["unit_type"] == unit_type]
        if not members:
            continue
        items = "".join(f'<li>{unit_link(ctx, u["unit_code"], u["unit_name"], prefix, short=True)}</li>' for u in members)
        groups.append(f"<h3>{esc(UNIT_TYPE_LABELS.get(unit_type, unit_type))}</h3><ul class=\"cols plain\">{items}</ul>")
    return f'<section class="no-print" id="don-vi"><h2>Chỉ số của từng đơn vị</h2>{"".join(groups)}</section>'


# ---- unit scorecard ------------------------------------------------------------------------------------------
def unit_page(ctx: Context, unit: Row) -> bytes:
    m = ctx.marts
    code = unit["unit_code"]
    name = unit["unit_name"]
    prefix = "../"
    parts = []
    quota_rows = m.quota_rows(unit_code=code)
    fb_rows = m.feedback("quarter", unit_code=code)
    site = unit.get("site_host") or None
    traffic = m.portal_monthly(site) if site else []
    pipe_rows = m.pipeline(unit_code=code)

    summary = []
    if quota_rows:
        last = quota_rows[-1]
        status = last["quota_status"]
        summary.append(f"{esc(period_label(last['quarter']))}: đã gửi {bold(fmt_int(last['articles_submitted']))} bài (không tính bài rút lại), "
                       f"chỉ tiêu {nowrap(fmt_int(last['quota']))} bài/quý — {status_badge(status)}")
    elif unit["unit_type"] == "department_division":
        summary.append("Phòng, ban thuộc Sở: không có chỉ tiêu gửi bài.")
    if fb_rows:
        last = fb_rows[-1]
        summary.append(f"{esc(period_label(last['period']))}: được giao {bold(fmt_int(last['received_count']))} phản ánh, "
                       f"trả lời đúng hạn {bold(fmt_pct(last['answered_within_sla_pct']))}"
                       f", đang mở quá 10 ngày làm việc: {nowrap(fmt_int(last['open_backlog_over_10']))}.")
    if traffic:
        last = traffic[-1]
        partial = m.period_is_running(m.period(last["month"], "month"))
        summary.append(f"Trang {esc(site)}: {bold(fmt_int(last['pageviews']))} lượt xem trong {esc(period_label(last['month']))}"
                       + (f" (đến {esc(ctx.as_of)})" if partial else "")
                       + pct_change_words(last["pageviews_change_pct"], "tháng trước")
                       + ".")
    elif not site:
        summary.append("Đơn vị chưa có trang thành phần trên cổng thông tin.")
    facts = [esc(UNIT_TYPE_LABELS.get(unit["unit_type"], unit["unit_type"])), f"Mã: {esc(code)}"]
    if unit.get("valid_from"):
        facts.append(f"Hoạt động từ {esc(fmt_date(unit['valid_from']))}"
                     + (f" đến {esc(fmt_date(unit['valid_to']))}" if unit.get("valid_to") else ""))
    parts.append(f'<section class="summary" id="tom-tat"><h2>Tóm tắt</h2><p class="muted">{" · ".join(facts)}</p>'
                 f'<ul>{"".join(f"<li>{s}</li>" for s in summary) or "<li>Chưa có số liệu.</li>"}</ul></section>')

    if quota_rows:
        parts.append(f'<section id="chi-tieu"><h2>Chỉ tiêu bài viết theo quý</h2>'
                     f'{chart_html(charts.unit_quota_bars("unit-quota", quota_rows))}'
                     f'{quota_table(ctx, list(reversed(quota_rows)), prefix, show_unit=False)}</section>')
    if fb_rows:
        columns = [
            Column("period", "Quý", lambda row: period_link(ctx, row["period"], prefix)),
            Column("received_count", "Tiếp nhận", num_cell("received_count"), True),
            Column("answered_count", "Đã trả lời", num_cell("answered_count"), True),
            Column("answered_within_sla_pct", "Đúng hạn", num_cell("answered_within_sla_pct", "pct"), True),
            Column("median_working_days", "Trung vị (ngày LV)", num_cell("median_working_days", "number"), True),
            Column("open_backlog_over_10", "Mở > 10 ngày", num_cell("open_backlog_over_10"), True),
            Column("answered_by_assigned_unit_pct", "Đúng đơn vị trả lời", num_cell("answered_by_assigned_unit_pct", "pct"), True),
            Column("answered_by_authorised_title_pct", "Đúng chức danh trả lời", num_cell("answered_by_authorised_title_pct", "pct"), True),
            Column("answers_published_pct", "Trả lời được công khai", num_cell("answers_published_pct", "pct"), True),
        ]
        parts.append(f'<section id="phan-anh"><h2>Phản ánh, kiến nghị được giao</h2>'
                     f'{chart_html(charts.sla_trend("unit-sla", fb_rows, None, set(), "quarter", " của đơn vị"))}'
                     f'{table_html(columns, list(reversed(fb_rows)), lambda row: {"data-period": row["period"]})}</section>')
    if traffic:
        columns = [
            Column("month", "Tháng", lambda row: esc(period_label(row["month"]))),
            Column("pageviews", "Lượt xem", num_cell("pageviews"), True),
            *users_columns(),
            Column("pageviews_change_pct", "Lượt xem so với tháng trước", signed_pct_cell("pageviews_change_pct"), True),
        ]
        parts.append(f'<section id="truy-cap"><h2>Truy cập trang {esc(site)}</h2>'
                     f'{chart_html(charts.portal_monthly_bars("unit-traffic", traffic, set(), "trang " + site))}'
                     f'<details><summary>Bảng số liệu theo tháng</summary>'
                     f'{table_html(columns, list(reversed(traffic)), lambda row: {"data-month": row["month"]})}</details></section>')
    if pipe_rows:
        columns = [
            Column("quarter", "Quý gửi", lambda row: period_link(ctx, row["quarter"], prefix)),
            *pipeline_columns(),
            Column("selection_rate_pct", "Tỷ lệ được chọn", num_cell("selection_rate_pct", "pct"), True),
            Column("median_days_to_publication", "Trung vị ngày đến khi đăng", num_cell("median_days_to_publication", "number"), True),
        ]
        parts.append(f'<section id="xuat-ban"><h2>Bài gửi và bài được đăng</h2>{PIPELINE_NOTE}'
                     f'{table_html(columns, list(reversed(pipe_rows)), lambda row: {"data-quarter": row["quarter"]})}</section>')
    with_plotly = bool(quota_rows or fb_rows or traffic)
    return page_html(
        title=f"{name} — chỉ số truyền thông", heading=name or code,
        subtitle="Chỉ số truyền thông của đơn vị", body="\n".join(parts), generated_at=ctx.generated_at,
        as_of=ctx.as_of, crumbs_html=crumbs(ctx, prefix), with_plotly=with_plotly, source_name=ctx.source_name,
        plotly_src=ctx.plotly_src(prefix),
    )


PIPELINE_NOTE = ('<p class="muted">Theo quý gửi bài: mỗi bài tính vào quý đơn vị gửi, với tình trạng hiện nay. '
                 "“Bài gửi (không tính rút lại)” là số bài tính vào chỉ tiêu. “Đăng trong quý (theo ngày đăng)” đếm bài được "
                 "đăng trong quý, dù gửi từ quý nào.</p>")


def pipeline_columns() -> list[Column]:
    """The pipeline figures by quarter of submission, and the one by publication date, each named for what it counts."""
    return [
        Column("submitted", "Bài gửi (kể cả rút lại)", num_cell("submitted"), True),
        Column("withdrawn", "Rút lại", num_cell("withdrawn"), True),
        Column("submitted_not_withdrawn", "Bài gửi (không tính rút lại)", num_cell("submitted_not_withdrawn"), True),
        Column("selected", "Được chọn, chờ đăng", num_cell("selected"), True),
        Column("published", "Đã được đăng", num_cell("published"), True),
        Column("rejected", "Không sử dụng", num_cell("rejected"), True),
        Column("published_in_quarter", "Đăng trong quý (theo ngày đăng)", num_cell("published_in_quarter"), True),
    ]


def signed_pct_cell(column: str):
    """A change in per cent with its direction in words ('tăng 4,2 %', 'giảm 3 %')."""
    def cell(row: Row) -> str:
        value = row.get(column)
        if value is None:
            return MISSING
        if round(value, 1) == 0:
            return "không đổi"
        return esc(("tăng " if value > 0 else "giảm ") + fmt_pct(abs(value)))
    return cell


def period_link(ctx: Context, code: str, prefix: str) -> str:
    if code in ctx.period_files and not ctx.single_file:
        return f'<a href="{esc(prefix + ctx.period_files[code])}">{esc(period_label(code))}</a>'
    return esc(period_label(code))


# ---- index ---------------------------------------------------------------------------------------------------
# What `make docs` writes: every table and column described, for analysts (linked from the index when it exists).
DBT_DOCS_HTML = Path(__file__).resolve().parent.parent / "dbt_project" / "target" / "static_index.html"


def analyst_docs_link(out_dir: Path, docs_html: Path | None) -> str:
    if docs_html is None or not docs_html.exists():
        return ""
    try:  # relative, so the link survives moving the repository; file:// when on another drive
        href = Path(os.path.relpath(docs_html.resolve(), Path(out_dir).resolve())).as_posix()
    except ValueError:
        href = docs_html.resolve().as_uri()
    return (f'<br>Cho người phân tích: <a href="{esc(href)}">mô tả các bảng và cột của kho (tài liệu dbt)</a>.')


def index_page(ctx: Context, docs_html: Path | None = None) -> bytes:
    m = ctx.marts
    parts = []
    quarters = [c for c in sorted(ctx.period_files) if period_grain(c) == "quarter"]
    months = [c for c in sorted(ctx.period_files) if period_grain(c) == "month"]
    latest_quarter = quarters[-1] if quarters else None
    if latest_quarter:
        period = m.period(latest_quarter, "quarter")
        headline = m.headline(period)
        previous = m.previous_period(period)
        running = (f' <span class="muted">(đang diễn ra, số liệu đến {esc(ctx.as_of)})</span>'
                   if ctx.marts.period_is_running(period) else "")
        summary = period_summary(ctx, period)
        summary_html = "".join(f"<li>{s}</li>" for s in summary) or "<li>Chưa có số liệu cho kỳ này.</li>"
        parts.append(
            f'<section class="summary" id="moi-nhat"><h2>Tóm tắt {esc(period_label(latest_quarter))}{running}</h2>'
            f"<ul>{summary_html}</ul>"
            f'<p><a href="{esc(ctx.period_files[latest_quarter])}">Xem báo cáo đầy đủ {esc(period_label(latest_quarter))} →</a></p>'
            f"{cards_html(headline, period_label(previous) if previous else None)}</section>")
    lists = []
    if quarters:
        items = "".join(f'<li><a href="{esc(ctx.period_files[c])}">{esc(period_label(c))}</a></li>' for c in reversed(quarters))
        lists.append(f"<h3>Theo quý</h3><ul class=\"cols plain reports-list\">{items}</ul>")
    if months:
        items = "".join(f'<li><a href="{esc(ctx.period_files[c])}">{esc(period_label(c))}</a></li>' for c in reversed(months))
        lists.append(f"<h3>Theo tháng</h3><ul class=\"cols plain reports-list\">{items}</ul>")
    parts.append(f'<section id="bao-cao"><h2>Báo cáo theo kỳ</h2>{"".join(lists) or "<p>Chưa có số liệu để lập báo cáo.</p>"}</section>')

    latest_quota = m.latest_quota_quarter()
    status_by_unit = {r["unit_code"]: r["quota_status"] for r in m.quota_rows()
                      if r["quarter"] == latest_quota} if latest_quota else {}
    groups = []
    for unit_type in UNIT_TYPE_ORDER + sorted({u["unit_type"] for u in ctx.units} - set(UNIT_TYPE_ORDER)):
        members = [u for u in sort_units(ctx.units) if u["unit_type"] == unit_type]
        if not members:
            continue
        items = "".join(
            f'<li>{unit_link(ctx, u["unit_code"], u["unit_name"], "", short=True)}'
            + (f" {status_badge(status_by_unit[u['unit_code']])}" if u["unit_code"] in status_by_unit else "")
            + "</li>" for u in members)
        groups.append(f"<h3>{esc(UNIT_TYPE_LABELS.get(unit_type, unit_type))}</h3><ul class=\"cols plain\">{items}</ul>")
    note = (f'<p class="muted">Nhãn bên cạnh tên: tình trạng chỉ tiêu bài viết {esc(period_label(latest_quota))}.</p>'
            if latest_quota else "")
    parts.append(f'<section id="don-vi"><h2>Chỉ số của từng đơn vị</h2>{note}{"".join(groups) or "<p>Chưa có đơn vị.</p>"}</section>')
    return page_html(
        title=REPORT_NAME, heading=REPORT_NAME, subtitle="Kế hoạch truyền thông về giáo dục và đào tạo",
        body="\n".join(parts), generated_at=ctx.generated_at, as_of=ctx.as_of, with_plotly=False,
        source_name=ctx.source_name, footer_html=analyst_docs_link(ctx.out_dir, docs_html),
    )


# ---- entry point ---------------------------------------------------------------------------------------------
def select_periods(marts: Marts, periods: list[str] | None) -> list[tuple[str, str]]:
    """(code, grain) pairs to render: by default every quarter plus the latest month; '2024' = that year's quarters
    plus its latest month."""
    quarters = marts.periods("quarter")
    months = marts.periods("month")
    if not periods:
        chosen = [(q, "quarter") for q in quarters] + ([(months[-1], "month")] if months else [])
        return chosen
    chosen = []
    for code in periods:
        grain = period_grain(code)
        if grain == "year":
            year_quarters = [(q, "quarter") for q in quarters if q.startswith(code)]
            year_months = [mm for mm in months if mm.startswith(code)]
            found = year_quarters + ([(year_months[-1], "month")] if year_months else [])
        else:
            found = [(code, grain)] if code in (quarters if grain == "quarter" else months) else []
        if not found:
            available = ", ".join(quarters + months) or "none"
            raise ValueError(f"period {code!r} has no figures in marts.kpi_headline; periods available: {available}")
        chosen += [p for p in found if p not in chosen]
    return chosen


def write_plotly_library(out_dir: Path) -> Path:
    """The folder's one copy of plotly.js (rewritten only when it differs, so a re-render leaves it alone)."""
    target = out_dir / PLOTLY_FILENAME
    library = PLOTLY_BUNDLE.read_bytes()
    if not target.exists() or target.read_bytes() != library:
        _write(target, library)
    return target


def render_reports(warehouse_db: Path, out_dir: Path, periods: list[str] | None = None,
                   single_file: bool = False, docs_html: Path | None = DBT_DOCS_HTML) -> list[Path]:
    """Writes out_dir/index.html, one report (and its Excel workbook) per period, one scorecard per unit and the folder's
    copy of plotly.js; returns the files written.

    The warehouse is opened read-only. `periods` takes codes like '2024Q2', '2024-05' or '2024'; by default every
    quarter in the data plus the latest month. `single_file` writes only the chosen periods' reports, each as one
    file with plotly.js inside and no links to the folder's other pages (bao-cao-<period>-mot-tep.html), for e-mail.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with Marts(Path(warehouse_db)) as marts:
        if single_file and not periods:
            raise ValueError("the single-file form is for e-mailing one report: name the period(s), e.g. --period 2024Q2")
        chosen = select_periods(marts, periods)
        known = set(marts.periods("quarter")) | set(marts.periods("month"))
        period_files = {code: period_filename(code) for code in known if (out_dir / period_filename(code)).exists()}
        period_files.update({code: period_filename(code) for code, _ in chosen})
        as_of = marts.as_of_date()
        units = marts.units()
        ctx = Context(
            marts=marts, out_dir=out_dir, generated_at=dt.datetime.now(LOCAL_ZONE),
            as_of=fmt_date(as_of) if as_of else MISSING, as_of_date=as_of, units=units, unit_by_code={u["unit_code"]: u for u in units},
            period_files=period_files, source_name=Path(warehouse_db).name, single_file=single_file,
        )
        if single_file:
            return [_write(out_dir / single_filename(code), period_page(ctx, marts.period(code, grain)))
                    for code, grain in chosen]
        written.append(write_plotly_library(out_dir))
        for code, grain in chosen:
            period = marts.period(code, grain)
            written.append(_write(out_dir / period_filename(code), period_page(ctx, period)))
            written.append(workbook.write_period_workbook(out_dir / workbook_filename(code), marts, period))
        for unit in units:
            written.append(_write(out_dir / unit_filename(unit["unit_code"]), unit_page(ctx, unit)))
        written.insert(0, _write(out_dir / "index.html", index_page(ctx, docs_html)))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the HTML KPI reports from a warehouse file.")
    parser.add_argument("warehouse_db", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--period", action="append", help="'2024Q2', '2024-05' or '2024'; repeatable")
    parser.add_argument("--single-file", action="store_true",
                        help="write each chosen period's report as one self-contained file for e-mail (links to other pages dropped)")
    args = parser.parse_args(argv)
    for path in render_reports(args.warehouse_db, args.out_dir, args.period, single_file=args.single_file):
        print(f"{path.stat().st_size:>10,d}  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
