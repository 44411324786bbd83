"""HTML building blocks of the reports: the page shell (CSS, plotly.js), headline cards, tables, chart figures.

plotly.js is written once into the report folder and every page loads it with a relative <script src> (85 pages each
inlining 1.4 MB made the sample's folder 118 MB); a single-file page (for e-mailing one report) inlines it instead.

Every string that comes from data is escaped here or by the caller with `esc`; functions taking `*_html` arguments
expect markup that is already safe.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable

import plotly.io as pio
from pathlib import Path

from reports.charts import Chart
from reports.format import MISSING, esc, fmt_int, fmt_number, fmt_pct, fmt_signed

Row = dict[str, Any]

DEPARTMENT = "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh"
REPORT_NAME = "Báo cáo chỉ số truyền thông"

PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True, "scrollZoom": False, "doubleClick": False}


@dataclass(frozen=True)
class Metric:
    label: str
    kind: str  # 'count' | 'pct'
    higher_is_better: bool | None  # None: neither direction is good or bad


HEADLINE_METRICS: dict[str, Metric] = {
    "district_offices_meeting_quota": Metric("Phòng GDĐT đạt chỉ tiêu bài viết", "count", True),
    "units_meeting_quota_pct": Metric("Đơn vị có chỉ tiêu đã đạt", "pct", True),
    "articles_published": Metric("Bài viết được đăng trong kỳ (theo ngày đăng)", "count", True),
    "feedback_received": Metric("Phản ánh, kiến nghị tiếp nhận", "count", None),
    "feedback_within_sla_pct": Metric("Phản ánh được trả lời đúng hạn", "pct", True),
    "feedback_open_overdue": Metric("Phản ánh quá hạn chưa trả lời", "count", False),
    "portal_pageviews": Metric("Lượt xem cổng thông tin và trang thành phần", "count", True),
    "social_posts": Metric("Bài đăng trên fanpage và Zalo OA", "count", True),
    "social_crossposted_pct": Metric("Bài của Cổng được chia sẻ lên mạng xã hội đúng hạn", "pct", True),
    "moderation_within_window_pct": Metric("Bình luận vi phạm được xử lý đúng hạn", "pct", True),
    "listening_mentions": Metric("Đề cập về Sở trên báo chí, mạng xã hội", "count", None),
    "listening_spikes_without_incident": Metric("Ngày đề cập đột biến chưa thành sự cố", "count", False),
    "incident_median_hours_to_first_response": Metric("Giờ đến phản hồi đầu tiên một sự cố (trung vị)", "count", False),
    "monthly_reports_on_time_pct": Metric("Báo cáo tháng của các phòng nộp đúng hạn", "pct", True),
    "press_received": Metric("Đề nghị của báo chí tiếp nhận", "count", None),
    "press_within_deadline_pct": Metric("Đề nghị của báo chí được trả lời đúng hạn", "pct", True),
    "press_leadership_events": Metric("Sự kiện báo chí do lãnh đạo Sở chủ trì", "count", True),
    "officer_units_with_officer_pct": Metric("Đơn vị đã cử cán bộ phụ trách truyền thông", "pct", True),
}


def metric_value_text(metric: str, value: Any) -> str:
    """A headline value as shown on a card (tests compare against this)."""
    spec = HEADLINE_METRICS.get(metric)
    if spec is not None and spec.kind == "pct":
        return fmt_pct(value)
    return fmt_number(value)


CSS = """
:root { --navy:#1f4e79; --ink:#1b1f24; --muted:#5b6673; --line:#d8dee6; --bg:#f5f7fa; --good:#2e7d32; --bad:#c62828;
        --warn:#b26a00; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; background:var(--bg); color:var(--ink); font: 15px/1.5 "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue",
       Arial, "Liberation Sans", sans-serif; }
a { color: var(--navy); }
header.top { background: var(--navy); color: #fff; padding: 18px 0 16px; }
header.top .wrap { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: flex-end; gap: 8px 24px; }
header.top .dept { font-size: 13px; letter-spacing: .02em; text-transform: uppercase; opacity: .85; }
header.top h1 { margin: 2px 0 0; font-size: 26px; line-height: 1.25; }
header.top .meta { font-size: 13px; opacity: .9; text-align: right; }
header.top a { color: #fff; }
.wrap { max-width: 1040px; margin: 0 auto; padding: 0 20px; }
nav.crumbs { font-size: 14px; padding-top: 10px; }
main { padding: 8px 0 40px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px; margin: 16px 0; }
section > h2 { margin: 0 0 10px; font-size: 20px; color: var(--navy); }
.summary p { margin: 6px 0; font-size: 16px; }
.summary ul { margin: 6px 0 6px 1.2em; padding: 0; }
.summary li { margin: 4px 0; font-size: 16px; }
.nw { white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(230px, 100%), 1fr)); gap: 12px; margin-top: 12px; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--navy); border-radius: 6px; padding: 10px 14px; background: #fff; }
.card.met { border-left-color: var(--good); }
.card.not-met { border-left-color: var(--bad); }
.card .label { font-size: 13px; color: var(--muted); }
.card .value { font-size: 28px; font-weight: 700; line-height: 1.2; margin: 2px 0; }
.card .change, .card .target { font-size: 13px; }
.good { color: var(--good); } .bad { color: var(--bad); } .neutral { color: var(--muted); }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.met { background: var(--good); } .badge.not-met { background: var(--bad); } .badge.risk { background: #f9a825; color: #1b1f24; }
.badge.track { background: #9ccc65; color: #1b1f24; } .badge.none { background: #b0b8c1; }
figure.chart { margin: 18px 0 8px; break-inside: avoid; page-break-inside: avoid; }
figure.chart h3 { margin: 0 0 4px; font-size: 16px; line-height: 1.35; }
figure.chart figcaption { font-size: 13px; color: var(--muted); }
.chips { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 4px 0; }
.chip { display: inline-flex; align-items: center; gap: 6px; }
.chip i { display: inline-block; width: 14px; height: 14px; border-radius: 3px; }
.table-scroll { max-width: 100%; overflow-x: auto; -webkit-overflow-scrolling: touch; }
table.data { width: 100%; border-collapse: collapse; font-size: 14px; margin: 8px 0; }
table.data th, table.data td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.data th { background: #eef2f7; font-weight: 600; }
table.data td.num, table.data th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.data tr:nth-child(even) td { background: #fafbfc; }
table.data caption { text-align: left; font-weight: 600; padding: 4px 0; }
details > summary { cursor: pointer; color: var(--navy); font-weight: 600; margin: 8px 0; }
.cols { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(240px, 100%), 1fr)); gap: 4px 24px; }
figure.chart .js-plotly-plot, figure.chart .plotly-graph-div { max-width: 100%; }
button.print { font: inherit; font-size: 14px; padding: 4px 12px; border: 1px solid #fff; border-radius: 4px; background: transparent;
               color: #fff; cursor: pointer; margin-top: 6px; }
.downloads { font-size: 14px; margin: 4px 0 0; }
ul.plain { list-style: none; padding: 0; margin: 6px 0; }
.reports-list a { font-weight: 600; }
.muted { color: var(--muted); }
.no-data { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: 12px; padding: 0 0 30px; }
main, section, figure.chart, details { min-width: 0; max-width: 100%; }
body { overflow-wrap: break-word; }
@media (max-width: 640px) {
  header.top h1 { font-size: 21px; } header.top .meta { text-align: left; }
  .wrap { padding: 0 10px; } section { padding: 12px; margin: 12px 0; } .card .value { font-size: 24px; }
  table.data { font-size: 13px; } table.data th, table.data td { padding: 4px 5px; }
  figure.chart { margin: 12px 0 6px; }
}
@page { size: A4 landscape; margin: 12mm; }
@media print {
  /* The charts keep the size they were drawn at on screen; printing at 75 % fits about two of them on an A4 page. */
  html { zoom: .75; }
  body { background: #fff; font-size: 12px; }
  header.top { background: #fff; color: var(--ink); border-bottom: 2px solid var(--navy); padding: 0 0 6px; }
  header.top a { color: var(--ink); }
  .wrap { max-width: none; padding: 0; }
  nav.crumbs, .no-print, button.print { display: none; }
  section { border: none; padding: 0; margin: 8px 0; }
  /* No forced page breaks: a section starts where the previous one ends, and only a chart, a card or a table row is
     kept whole (forced breaks left pages holding three cards). */
  .cards { grid-template-columns: repeat(4, 1fr); gap: 6px; }
  .card { padding: 4px 8px; } .card .value { font-size: 20px; }
  .card, figure.chart, table.data tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, figure.chart h3 { break-after: avoid; page-break-after: avoid; }
  .table-scroll { overflow: visible; }
  table.data { font-size: 10px; margin: 4px 0; } table.data th, table.data td { padding: 1px 4px; }
  .summary li { font-size: 12px; margin: 2px 0; } figure.chart { margin: 8px 0 4px; }
  a { color: var(--ink); text-decoration: none; }
  /* Open sections print as they are; collapsed detail tables (the full lists behind a chart) stay out of print. */
  details > summary { display: none; }
  details[open] > * { display: block; }
  details:not([open]) { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


# plotly.js "cartesian" bundle (bar, heatmap, histogram, scatter, pie: all the reports draw), same version as the one
# inside the plotly package (a test checks): 1.4 MB instead of 4.9 MB in every self-contained page.
PLOTLY_BUNDLE = Path(__file__).parent / "vendor" / "plotly-cartesian-3.7.0.min.js"


@lru_cache(maxsize=1)
def plotly_js() -> str:
    js = PLOTLY_BUNDLE.read_text(encoding="utf-8")
    # The library goes inside a <script> element: a literal closing tag in it would end the element early.
    return js.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def plotly_script_bytes() -> bytes:
    """The <script> element with the library, encoded once: each page copies these bytes rather than re-encoding
    1.4 MB of text."""
    return f"<script>{plotly_js()}</script>".encode("utf-8")


def chart_html(chart: Chart) -> str:
    div = pio.to_html(
        chart.fig, include_plotlyjs=False, full_html=False, div_id=f"chart-{chart.key}", config=PLOTLY_CONFIG,
        default_width="100%", default_height=f"{chart.height}px", validate=False,
    )
    chips = ""
    if chart.legend:
        chips = '<div class="chips">' + "".join(
            f'<span class="chip"><i style="background:{esc(colour)}"></i>{esc(label)}</span>' for colour, label in chart.legend
        ) + "</div>"
    note = f"<div>{esc(chart.note)}</div>" if chart.note else ""
    caption = f"<figcaption>{chips}{note}</figcaption>" if chips or note else ""
    return (f'<figure class="chart" data-chart="{esc(chart.key)}"><h3>{esc(chart.title)}</h3>'
            f"{div}{caption}</figure>")


def change_html(metric: str, row: Row, previous_label: str | None) -> str:
    change = row.get("change")
    if change is None:
        return '<div class="change neutral">Chưa có kỳ trước để so sánh</div>'
    spec = HEADLINE_METRICS.get(metric, Metric(metric, "count", None))
    # The mart's own direction when it has one (kpi_headline.higher_is_better), else the report's default.
    higher_is_better = row["higher_is_better"] if "higher_is_better" in row else spec.higher_is_better
    if change > 0:
        arrow, direction = "▲", 1
    elif change < 0:
        arrow, direction = "▼", -1
    else:
        arrow, direction = "■", 0
    if higher_is_better is None or direction == 0:
        css = "neutral"
    else:
        css = "good" if (direction > 0) == higher_is_better else "bad"
    amount = fmt_signed(change) + (" điểm %" if spec.kind == "pct" else "")
    versus = f" so với {esc(previous_label)}" if previous_label else " so với kỳ trước"
    return f'<div class="change {css}">{arrow} <span class="nw">{esc(amount)}</span>{versus}</div>'


def target_html(metric: str, row: Row) -> tuple[str, str]:
    """The target line of a card and the card's css class."""
    target = row.get("target")
    if target is None:
        return "", ""
    met = row.get("meets_target")
    badge = ""
    css = ""
    if met is True:
        badge, css = ' <span class="badge met">Đạt</span>', "met"
    elif met is False:
        badge, css = ' <span class="badge not-met">Chưa đạt</span>', "not-met"
    return (f'<div class="target">Mục tiêu: <span class="nw">{esc(metric_value_text(metric, target))}</span>{badge}</div>',
            css)


def cards_html(headline: dict[str, Row], previous_label: str | None) -> str:
    ordered = [m for m in HEADLINE_METRICS if m in headline] + sorted(m for m in headline if m not in HEADLINE_METRICS)
    if not ordered:
        return '<p class="muted">Chưa có chỉ số tổng hợp cho kỳ này.</p>'
    parts = []
    for metric in ordered:
        row = headline[metric]
        label = HEADLINE_METRICS[metric].label if metric in HEADLINE_METRICS else metric
        target, css = target_html(metric, row)
        previous = ""
        if row.get("previous_value") is not None:
            previous = f'<div class="change neutral">Kỳ trước: <span class="nw">{esc(metric_value_text(metric, row["previous_value"]))}</span></div>'
        parts.append(
            f'<div class="card {css}" data-metric="{esc(metric)}"><div class="label">{esc(label)}</div>'
            f'<div class="value nw">{esc(metric_value_text(metric, row.get("value")))}</div>'
            f"{change_html(metric, row, previous_label)}{previous}{target}</div>"
        )
    return '<div class="cards">' + "".join(parts) + "</div>"


@dataclass(frozen=True)
class Column:
    key: str  # data-col attribute (tests find cells by it)
    header: str
    cell: Callable[[Row], str]  # returns safe HTML
    numeric: bool = False


def table_html(columns: list[Column], rows: Iterable[Row], row_attrs: Callable[[Row], dict[str, str]] | None = None,
               caption: str = "", css: str = "data") -> str:
    head = "".join(f'<th class="{"num" if c.numeric else ""}" scope="col">{esc(c.header)}</th>' for c in columns)
    body = []
    for row in rows:
        attrs = ""
        if row_attrs:
            attrs = "".join(f' {name}="{esc(value)}"' for name, value in row_attrs(row).items())
        cells = "".join(f'<td class="{"num" if c.numeric else ""}" data-col="{esc(c.key)}">{c.cell(row)}</td>' for c in columns)
        body.append(f"<tr{attrs}>{cells}</tr>")
    if not body:
        return '<p class="muted">Không có dòng nào.</p>'
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    # the box scrolls sideways on a narrow screen, never the page
    return (f'<div class="table-scroll"><table class="{css}">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def num_cell(column: str, kind: str = "count") -> Callable[[Row], str]:
    def cell(row: Row) -> str:
        value = row.get(column)
        if value is None:
            return MISSING
        return esc(fmt_pct(value) if kind == "pct" else fmt_int(value) if kind == "count" else fmt_number(value))
    return cell


def page_html(*, title: str, heading: str, subtitle: str, body: str, generated_at: dt.datetime, as_of: str,
              crumbs_html: str = "", with_plotly: bool = True, source_name: str = "", plotly_src: str | None = None,
              note_html: str = "", footer_html: str = "") -> bytes:
    """A whole page, UTF-8 encoded. `title`, `heading`, `subtitle`, `as_of` are plain text (`source_name`, the warehouse
    file, goes into a meta element, not in front of the reader); `note_html` (a line under the header) and `footer_html`
    (what ends the footer) are markup.

    With charts, `plotly_src` is the relative address of the report folder's copy of plotly.js; None inlines the library
    (the single-file form, which must open on its own)."""
    crumbs = f'<nav class="crumbs wrap no-print">{crumbs_html}</nav>' if crumbs_html else ""
    note = f'<div class="wrap">{note_html}</div>' if note_html else ""
    head = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="edukpi reports">
{f'<meta name="edukpi-source" content="{esc(source_name)}">' if source_name else ''}
<title>{esc(title)}</title>
<style>{CSS}</style>
"""
    rest = f"""
</head>
<body>
<header class="top"><div class="wrap">
<div><div class="dept">{esc(DEPARTMENT)}</div><h1>{esc(heading)}</h1><div>{esc(subtitle)}</div></div>
<div class="meta">Số liệu đến ngày {esc(as_of)}<br>Lập lúc {esc(generated_at.strftime('%d/%m/%Y %H:%M'))}<br>
<button type="button" class="print" onclick="window.print()">In báo cáo</button></div>
</div></header>
{crumbs}
{note}
<main class="wrap">
{body}
</main>
<footer class="wrap">{esc(REPORT_NAME)} — {esc(DEPARTMENT)}. Số liệu tổng hợp từ Cổng thông tin điện tử và các trang thành phần,
hệ thống tiếp nhận phản ánh, kiến nghị và sổ theo dõi bài viết của Văn phòng Sở; cập nhật đến ngày {esc(as_of)}.
Mọi thắc mắc về số liệu xin liên hệ Văn phòng Sở.{footer_html}</footer>
</body>
</html>
"""
    if not with_plotly:
        script = b""
    elif plotly_src is not None:
        script = f'<script src="{esc(plotly_src)}"></script>'.encode("utf-8")
    else:
        script = plotly_script_bytes()
    return b"".join((head.encode("utf-8"), script, rest.encode("utf-8")))
