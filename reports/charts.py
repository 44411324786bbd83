"""Plotly figures for the reports; each comes with a title that states what the chart shows, picked from the mart rows.

Titles are plain text (the page escapes them); every data string placed in a figure goes through `plotly_text`.
The numbers are the marts' own: charts sort and pick rows, they do not sum, divide or difference.

Figures are plain dicts in plotly.js's own JSON shape ({"data": [traces], "layout": {...}}), written out without
plotly.py's property validation: building ~250 `go.Figure`s and updating their layouts property by property (each
path checked against the schema) took most of the rendering time. Property names are therefore spelt out in full
(`marker={"color": ...}`, `title={"text": ...}` rather than plotly.py's `marker_color`, `title_text`), and
tests/integration/test_reports.py validates every rendered figure with plotly.py (a misspelt property would otherwise be dropped
silently by plotly.js).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reports.format import (
    QUOTA_STATUS_LABELS,
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_pct,
    join_names,
    month_number,
    month_short_label,
    period_label,
    quarter_short_label,
    plotly_text,
    short_unit_name,
)

Row = dict[str, Any]
Figure = dict[str, Any]  # {"data": [trace dicts], "layout": layout dict}, as plotly.js takes them

FONT = '"Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, "Liberation Sans", sans-serif'
NAVY = "#1f4e79"
BLUE = "#2f75b5"
LIGHT = "#c9d7e8"
GREY = "#9aa5b1"
STATUS_COLOURS = {
    "met": "#2e7d32",
    "running_met": "#2e7d32",
    "on_track": "#9ccc65",
    "at_risk": "#f9a825",
    "not_met": "#c62828",
    "running_not_met": "#c62828",
}
# The exam season: upper-secondary graduation exam (late June) and grade-10 enrolment results (July).
EXAM_SEASON_MONTHS = {6, 7}
EXAM_SEASON_NOTE = "mùa thi tốt nghiệp THPT và tuyển sinh lớp 10"


@dataclass
class Chart:
    key: str  # stable id for the div and for tests
    title: str  # the finding, plain text
    fig: Figure
    height: int
    note: str = ""  # a line under the chart (plain text)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label) chips shown under the chart


# What plotly.py writes for template="none" (the empty template with the few styles below): applying a full template
# deep-copies it for every figure, which made rendering several times slower.
def _template_none() -> dict[str, Any]:
    return {"data": {"scatter": [{"type": "scatter"}]}}


# exponentformat none: '800.000' rather than the SI '800k'.
AXIS_STYLE = dict(fixedrange=True, separatethousands=True, exponentformat="none", gridcolor="#e5e9ef",
                  linecolor="#c3ccd6", zerolinecolor="#c3ccd6", ticks="", automargin=True)


def merge(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """plotly.py's `update_layout` semantics on plain dicts: nested dicts merge, a None value leaves the key unset."""
    for key, value in update.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            merge(target[key], value)
        else:
            target[key] = value
    return target


def base_layout(height: int, xaxis: dict[str, Any] | None = None, yaxis: dict[str, Any] | None = None,
                **extra: Any) -> dict[str, Any]:
    """The layout every chart shares; `xaxis`/`yaxis` and the other keywords are merged over it."""
    layout: dict[str, Any] = {
        "template": _template_none(),
        "separators": ",.",  # decimal ',' and thousands '.' in hover and axis numbers (Vietnamese convention)
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "height": height,
        "autosize": True,
        "margin": dict(l=60, r=20, t=36, b=50),
        "font": dict(family=FONT, size=13, color="#1b1f24"),
        "hoverlabel": dict(font=dict(family=FONT, size=13)),
        "legend": dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom", traceorder="normal"),
        "bargap": 0.25,
        "xaxis": dict(showgrid=False, **AXIS_STYLE),
        "yaxis": dict(showgrid=True, rangemode="tozero", **AXIS_STYLE),
    }
    return merge(layout, dict(xaxis=xaxis or {}, yaxis=yaxis or {}, **extra))


def figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> Figure:
    return {"data": traces, "layout": layout}


# ---- quota ---------------------------------------------------------------------------------------------------
_STATUS_Z = {"not_met": 0, "running_not_met": 0, "at_risk": 1, "on_track": 2, "met": 3, "running_met": 3}
_STATUS_SCALE = [
    [0.0, STATUS_COLOURS["not_met"]], [1 / 6, STATUS_COLOURS["not_met"]],
    [1 / 6, STATUS_COLOURS["at_risk"]], [0.5, STATUS_COLOURS["at_risk"]],
    [0.5, STATUS_COLOURS["on_track"]], [5 / 6, STATUS_COLOURS["on_track"]],
    [5 / 6, STATUS_COLOURS["met"]], [1.0, STATUS_COLOURS["met"]],
]


def quota_legend(include_running: bool) -> list[tuple[str, str]]:
    chips = [(STATUS_COLOURS["met"], "Đạt chỉ tiêu"), (STATUS_COLOURS["not_met"], "Chưa đạt")]
    if include_running:
        chips += [(STATUS_COLOURS["on_track"], "Quý đang chạy: đúng tiến độ"),
                  (STATUS_COLOURS["at_risk"], "Quý đang chạy: có nguy cơ chưa đạt")]
    return chips + [("#eeeeee", "Đơn vị chưa/không còn hoạt động trong quý")]


# Axis category labels longer than this wrap onto a second line: on a 390 px phone Plotly's automatic margin cannot make
# room for a 40-character name, and the label was cut at the chart's left edge.
LABEL_LINE_CHARS = 22


def axis_label(text: str, max_chars: int | None = None) -> str:
    """A category label for an axis: escaped like plotly_text, shortened to `max_chars` with an ellipsis, then broken at
    spaces into lines of about LABEL_LINE_CHARS characters."""
    text = str(text)
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    words = []
    for word in text.split(" "):
        # a word longer than a line (an address such as 'site.hcm.edu.vn/tin-tuc/...') is cut into line-long pieces
        words += [word[i:i + LABEL_LINE_CHARS] for i in range(0, len(word), LABEL_LINE_CHARS)] or [word]
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_LINE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plotly_text(line) for line in lines)


def unit_labels(units: list[Row]) -> dict[str, str]:
    """Short display names, falling back to the full name where two short names would collide."""
    shorts = [short_unit_name(u["unit_name"]) for u in units]
    return {u["unit_code"]: (s if shorts.count(s) == 1 else u["unit_name"]) for u, s in zip(units, shorts)}


def quota_heatmap(key: str, rows: list[Row], units: list[Row], quarters: list[str], current_quarter: str,
                  group_label: str) -> Chart:
    """Unit × quarter grid: colour = status, cell text = articles submitted / quota."""
    labels = unit_labels(units)
    by_cell = {(r["unit_code"], r["quarter"]): r for r in rows}
    z, text, hover = [], [], []
    for unit in units:
        z_row, text_row, hover_row = [], [], []
        for quarter in quarters:
            row = by_cell.get((unit["unit_code"], quarter))
            if row is None:
                z_row.append(None)
                text_row.append("")
                hover_row.append(f"{plotly_text(unit['unit_name'])}<br>{period_label(quarter)}: không áp dụng")
                continue
            status = row["quota_status"]
            z_row.append(_STATUS_Z[status])
            text_row.append(f"{fmt_int(row['articles_submitted'])}/{fmt_int(row['quota'])}")
            hover_row.append(
                f"<b>{plotly_text(unit['unit_name'])}</b><br>{period_label(quarter)}"
                + (" (đang diễn ra)" if row.get("quarter_status") == "running" else "")
                + f"<br>Bài gửi (không tính rút lại): {fmt_int(row['articles_submitted'])} / chỉ tiêu {fmt_int(row['quota'])}"
                + f"<br>Trong đó đã được đăng: {fmt_int(row['articles_published'])}"
                + f"<br>Tình trạng: {QUOTA_STATUS_LABELS[status]}"
            )
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    trace = dict(
        type="heatmap",
        z=z, x=[quarter_short_label(q) for q in quarters], y=[axis_label(labels[u["unit_code"]], 66) for u in units],
        zmin=0, zmax=3, colorscale=_STATUS_SCALE, showscale=False, xgap=3, ygap=3,
        text=text, texttemplate="%{text}", textfont=dict(size=12, color="#ffffff"),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
    )
    row_height = 26 + 13 * max((axis_label(labels[u["unit_code"]], 66).count("<br>") for u in units), default=0)
    height = 70 + row_height * max(len(units), 2)
    fig = figure([trace], base_layout(
        height, margin=dict(l=10, r=10, t=40, b=10), plot_bgcolor="#eeeeee",
        xaxis=dict(side="top", showgrid=False, tickfont=dict(size=12)),
        yaxis=dict(autorange="reversed", showgrid=False, automargin=True, rangemode="normal"),
    ))
    current_rows = [by_cell.get((u["unit_code"], current_quarter)) for u in units]
    behind = [labels[r["unit_code"]] for r in current_rows if r is not None and r["is_behind_quota"]]
    ahead = [labels[r["unit_code"]] for r in current_rows if r is not None and not r["is_behind_quota"]]
    running = any(r is not None and r.get("quarter_status") == "running" for r in current_rows)
    when = period_label(current_quarter)
    if not any(r is not None for r in current_rows):
        title = f"{group_label}: chưa có số liệu chỉ tiêu cho {when}"
    elif behind and ahead and len(behind) > len(ahead):
        title = (f"{group_label}, {when}: chỉ {join_names(ahead, 8)} "
                 + ("đạt hoặc đúng tiến độ" if running else "đạt chỉ tiêu") + ", "
                 + ("các đơn vị còn lại có nguy cơ chưa đạt" if running else "các đơn vị còn lại chưa đạt"))
    elif not any(r is not None and not r["is_behind_quota"] for r in current_rows):
        title = f"{group_label}: không đơn vị nào " + ("đúng tiến độ" if running else "đạt chỉ tiêu") + f" {when}"
    elif not behind:
        title = f"{group_label}: tất cả đã đạt chỉ tiêu bài viết {when}"
    elif running:
        title = f"{group_label} có nguy cơ chưa đạt chỉ tiêu {when}: {join_names(behind, 8)}"
    else:
        title = f"{group_label} chưa đạt chỉ tiêu {when}: {join_names(behind, 8)}"
    return Chart(key, title, fig, height, note="Số trong ô: bài gửi trong quý (không tính bài rút lại) / chỉ tiêu của quý.",
                 legend=quota_legend(any(r.get("quarter_status") == "running" for r in rows)))


def unit_quota_bars(key: str, rows: list[Row]) -> Chart:
    """One unit's articles per quarter (bars coloured by status) against its quota (line)."""
    x = [period_label(r["quarter"]) for r in rows]
    statuses = [r["quota_status"] for r in rows]
    traces = [
        dict(
            type="bar",
            x=x, y=[r["articles_submitted"] for r in rows], name="Bài gửi (không tính rút lại)", showlegend=False,
            marker=dict(color=[STATUS_COLOURS[s] for s in statuses]),
            customdata=[[QUOTA_STATUS_LABELS[s], fmt_int(r["articles_published"])] for s, r in zip(statuses, rows)],
            hovertemplate="%{x}<br>Bài gửi (không tính rút lại): %{y:,.0f}<br>Trong đó đã được đăng: %{customdata[1]}<br>%{customdata[0]}<extra></extra>",
        ),
        dict(type="scatter", x=x, y=[r["quota"] for r in rows], name="Chỉ tiêu", mode="lines+markers",
             line=dict(color="#1b1f24", dash="dash"), hovertemplate="%{x}<br>Chỉ tiêu: %{y:,.0f} bài<extra></extra>"),
    ]
    fig = figure(traces, base_layout(300, showlegend=True, yaxis=dict(
        title=dict(text="Số bài"), dtick=1 if max([r["articles_submitted"] or 0 for r in rows] + [1]) <= 8 else None)))
    missed = [period_label(r["quarter"]) for r, s in zip(rows, statuses) if s in ("not_met", "running_not_met")]
    risky = [period_label(r["quarter"]) for r, s in zip(rows, statuses) if s == "at_risk"]
    if not rows:
        title = "Chưa có số liệu chỉ tiêu bài viết"
    elif missed:
        title = f"Chưa đạt chỉ tiêu bài viết trong {join_names(missed)}"
        if risky:
            title += f"; {join_names(risky)} có nguy cơ chưa đạt"
    elif risky:
        title = f"Đạt chỉ tiêu các quý đã qua; {join_names(risky)} có nguy cơ chưa đạt"
    else:
        title = "Đạt chỉ tiêu bài viết trong mọi quý"
    return Chart(key, title, fig, 300, legend=quota_legend(any(r.get("quarter_status") == "running" for r in rows))[:-1])


# ---- feedback ------------------------------------------------------------------------------------------------
def sla_trend(key: str, rows: list[Row], target: float | None, highlight: set[str], grain: str,
              subject: str = "") -> Chart:
    """Feedback received (bars) and % answered within the deadline (line) per month or quarter."""
    label = period_label
    # Many months: the short form keeps the axis labels horizontal.
    # Short tick labels ('T5/2024', 'Q2/2024'): the full ones crowd each other on a phone; the hover gives the full label.
    x = [month_short_label(r["period"]) if grain == "month" else quarter_short_label(r["period"]) for r in rows]
    traces = [
        dict(
            type="bar",
            x=x, y=[r["received_count"] for r in rows], name="Phản ánh tiếp nhận (trục phải)",
            marker=dict(color=[BLUE if r["period"] in highlight else LIGHT for r in rows]),
            customdata=[label(r["period"]) for r in rows],
            hovertemplate="%{customdata}<br>Tiếp nhận: %{y:,.0f} phản ánh<extra></extra>",
        ),
        dict(
            type="scatter",
            x=x, y=[r["answered_within_sla_pct"] for r in rows], name="% trả lời đúng hạn (trục trái)", mode="lines+markers",
            yaxis="y2",
            line=dict(color=NAVY, width=3), marker=dict(size=8),
            customdata=[[fmt_int(r["answered_within_sla_count"]), fmt_int(r["answered_count"]), label(r["period"])] for r in rows],
            hovertemplate="%{customdata[2]}<br>Đúng hạn: %{y:,.1f} %<br>(%{customdata[0]} trên %{customdata[1]} phản ánh đã trả lời)<extra></extra>",
        ),
    ]
    layout = base_layout(
        340,
        yaxis=dict(title=dict(text="Số phản ánh"), side="right", showgrid=False, rangemode="tozero",
                   dtick=1 if max([r["received_count"] or 0 for r in rows] + [0]) <= 8 else None),
        # The second axis takes none of the shared axis style (as before: it is added after the base layout).
        yaxis2=dict(title=dict(text="% trả lời đúng hạn"), overlaying="y", side="left", range=[0, 105], ticksuffix=" %",
                    fixedrange=True, showgrid=True, gridcolor="#e5e9ef"),
        margin=dict(l=70, r=70, t=36, b=50),
    )
    if target is not None:
        # The target is a legend entry and a dotted line, not a label on the plot: a label there always ends up over some
        # month's bar.
        traces.append(dict(type="scatter", x=x, y=[target] * len(x), yaxis="y2", mode="lines", name=f"Mục tiêu {fmt_pct(target)}",
                           line=dict(color="#c62828", dash="dot", width=2), hoverinfo="skip"))
    fig = figure(traces, layout)
    rated = [r for r in rows if r["answered_within_sla_pct"] is not None]
    if not rated:
        title = f"Chưa có phản ánh được trả lời{subject}"
    else:
        lowest = min(rated, key=lambda row: (row["answered_within_sla_pct"], row["period"]))
        highest = max(rated, key=lambda row: (row["answered_within_sla_pct"], row["period"]))
        if len(rated) == 1:
            title = f"Tỷ lệ trả lời đúng hạn{subject}: {fmt_pct(lowest['answered_within_sla_pct'])} ({label(lowest['period'])})"
        elif lowest["answered_within_sla_pct"] == highest["answered_within_sla_pct"]:
            title = f"Tỷ lệ trả lời đúng hạn{subject} ổn định ở mức {fmt_pct(lowest['answered_within_sla_pct'])}"
        else:
            title = (f"Trả lời đúng hạn{subject} thấp nhất vào {label(lowest['period'])} "
                     f"({fmt_pct(lowest['answered_within_sla_pct'])}), cao nhất vào {label(highest['period'])} "
                     f"({fmt_pct(highest['answered_within_sla_pct'])})")
    return Chart(key, title, fig, 340)


def deadline_note(deadlines: list[Row]) -> str:
    """The deadlines in force as applied to the tickets (fct_feedback_tickets.sla_working_days): the one most tickets
    have, then the categories with another one."""
    if not deadlines:
        return ""
    tickets_by_days: dict[int, int] = {}
    for deadline in deadlines:
        days = deadline["sla_working_days"]
        tickets_by_days[days] = tickets_by_days.get(days, 0) + deadline["tickets"]
    usual = max(tickets_by_days, key=lambda days: (tickets_by_days[days], -days))
    exceptions = [f"{deadline['category'].lower()}: {fmt_int(deadline['sla_working_days'])} ngày"
                  for deadline in deadlines if deadline["sla_working_days"] != usual and deadline["category"]]
    return (f"Thời hạn: {fmt_int(usual)} ngày làm việc" + (f" ({'; '.join(exceptions)})" if exceptions else "")
            + " theo danh mục SLA của Sở.")


# The response-time axis ends here (working days): a few answers after months must not squeeze every bar into the left
# edge; the chart's note says how many lie beyond. Three times the longest usual deadline (10 working days).
RESPONSE_AXIS_MAX_DAYS = 30


def response_distribution(key: str, tickets: list[Row], period_row: Row | None, when: str,
                          deadlines: list[Row]) -> Chart:
    """Histogram of working days to the answer, split on/over the deadline (Plotly.js bins the ticket values)."""
    longest = max((t["working_days_to_response"] for t in tickets), default=0)
    axis_max = min(longest, RESPONSE_AXIS_MAX_DAYS)
    beyond = [t for t in tickets if t["working_days_to_response"] > axis_max]
    traces = []
    for within, name, colour in ((True, "Đúng hạn", BLUE), (False, "Quá hạn", "#c62828")):
        values = [t["working_days_to_response"] for t in tickets
                  if bool(t["within_sla"]) is within and t["working_days_to_response"] <= axis_max]
        if not values:
            continue  # an empty histogram trace makes Plotly.js warn about bin grouping
        traces.append(dict(
            type="histogram",
            x=values,
            name=name, marker=dict(color=colour), xbins=dict(start=-0.5, size=1),
            hovertemplate=f"%{{x}} ngày làm việc<br>{name}: %{{y:,.0f}} phản ánh<extra></extra>",
        ))
    fig = figure(traces, base_layout(
        320, barmode="stack", bargap=0.08,
        xaxis=dict(title=dict(text="Số ngày làm việc đến khi trả lời (không tính ngày tiếp nhận)"), type="linear",
                   zeroline=False, dtick=1 if axis_max <= 15 else 5, hoverformat=",.0f", range=[-0.5, axis_max + 0.5]),
        # Few tickets: whole-number ticks (the row count only steers the axis, it is not a figure of the report).
        yaxis=dict(title=dict(text="Số phản ánh"), dtick=1 if len(tickets) <= 30 else None),
    ))
    if period_row and period_row.get("median_working_days") is not None:
        title = (f"{when}: một nửa số phản ánh được trả lời trong {fmt_number(period_row['median_working_days'])} ngày làm việc"
                 + (f", 90 % trong {fmt_number(period_row['p90_working_days'])} ngày"
                    if period_row.get("p90_working_days") is not None else ""))
    elif tickets:
        title = f"Thời gian trả lời phản ánh, {when}"
    else:
        title = f"{when}: chưa có phản ánh nào được trả lời"
    note = deadline_note(deadlines)
    if beyond:
        note += (f" Trục ngang dừng ở {fmt_int(axis_max)} ngày; {fmt_int(len(beyond))} phản ánh được trả lời sau hơn "
                 f"{fmt_int(axis_max)} ngày làm việc (lâu nhất {fmt_int(longest)} ngày) không hiện trên biểu đồ.")
    return Chart(key, title, fig, 320, note=note)


def backlog_bars(key: str, unit_rows: list[Row], dept_row: Row | None, when: str, overdue: Row | None) -> Chart | None:
    """Open feedback by age bucket for each unit that has any, oldest backlog first."""
    rows = [r for r in unit_rows
            if (r["open_backlog_0_5"] or 0) > 0 or (r["open_backlog_6_10"] or 0) > 0 or (r["open_backlog_over_10"] or 0) > 0]
    if not rows:
        return None
    rows.sort(key=lambda row: (-(row["open_backlog_over_10"] or 0), -(row["open_backlog_6_10"] or 0),
                             -(row["open_backlog_0_5"] or 0), row["unit_name"] or ""))
    rows = rows[:15]
    names = [axis_label(short_unit_name(r["unit_name"]) if r["unit_name"] else r["unit_code"]) for r in rows]
    traces = []
    for column, name, colour in (("open_backlog_0_5", "0–5 ngày làm việc", "#9ccc65"),
                                 ("open_backlog_6_10", "6–10 ngày", "#f9a825"),
                                 ("open_backlog_over_10", "Trên 10 ngày", "#c62828")):
        traces.append(dict(type="bar", y=names, x=[r[column] or 0 for r in rows], name=name, orientation="h",
                           marker=dict(color=colour), hovertemplate="%{y}<br>" + name + ": %{x:,.0f} phản ánh<extra></extra>"))
    height = 110 + 32 * len(rows)
    fig = figure(traces, base_layout(
        height, barmode="stack",
        yaxis=dict(autorange="reversed", automargin=True, rangemode="normal"),
        xaxis=dict(title=dict(text="Số phản ánh đang mở"), dtick=1 if len(rows) and max(
            [(r["open_backlog_0_5"] or 0) for r in rows] + [(r["open_backlog_6_10"] or 0) for r in rows]
            + [(r["open_backlog_over_10"] or 0) for r in rows]) <= 5 else None),
    ))
    oldest = rows[0]
    if (oldest["open_backlog_over_10"] or 0) > 0:
        title = f"Tồn đọng lâu nhất ở {short_unit_name(oldest['unit_name'])}: {fmt_int(oldest['open_backlog_over_10'])} phản ánh mở trên 10 ngày làm việc"
    else:
        title = f"Không có phản ánh nào mở quá 10 ngày làm việc; nhiều nhất ở {short_unit_name(oldest['unit_name'])}"
    if overdue is not None and overdue.get("value") is not None:
        title += f" — toàn Sở: {fmt_int(overdue['value'])} phản ánh quá hạn"
    return Chart(key, title, fig, height, note=f"Phản ánh tiếp nhận trong {when} còn chưa trả lời, theo số ngày làm việc đã mở.")


# ---- portal --------------------------------------------------------------------------------------------------
def _peak_month_title(rows: list[Row], subject: str) -> str:
    rated = [r for r in rows if r["pageviews"] is not None]
    if not rated:
        return f"Chưa có số liệu lượt xem {subject}"
    peak = max(rated, key=lambda row: (row["pageviews"], row["month"]))
    title = f"Lượt xem {subject} cao nhất vào {period_label(peak['month'])} ({fmt_int(peak['pageviews'])} lượt)"
    if month_number(peak["month"]) in EXAM_SEASON_MONTHS:
        title += f" — {EXAM_SEASON_NOTE}"
    return title


def portal_monthly_bars(key: str, rows: list[Row], highlight: set[str], subject: str) -> Chart:
    trace = dict(
        type="bar",
        x=[month_short_label(r["month"]) for r in rows], y=[r["pageviews"] for r in rows], name="Lượt xem",
        marker=dict(color=["#e07b00" if month_number(r["month"]) in EXAM_SEASON_MONTHS
                           else (NAVY if r["month"] in highlight else LIGHT) for r in rows]),
        customdata=[[period_label(r["month"]), fmt_pct(r["pageviews_change_pct"]) if r["pageviews_change_pct"] is not None else "–"]
                    for r in rows],
        hovertemplate="%{customdata[0]}<br>Lượt xem: %{y:,.0f}<br>So với tháng trước: %{customdata[1]}<extra></extra>",
    )
    fig = figure([trace], base_layout(320, yaxis=dict(title=dict(text="Lượt xem"))))
    legend = [(LIGHT, "Tháng khác"), ("#e07b00", "Mùa thi (tháng 6–7)")]
    if highlight:
        legend.insert(0, (NAVY, "Tháng của kỳ báo cáo"))
    return Chart(key, _peak_month_title(rows, subject), fig, 320, legend=legend)


def portal_daily_line(key: str, rows: list[Row], site: str, highlight: tuple[dt.date, dt.date] | None) -> Chart:
    trace = dict(
        type="scatter",
        x=[r["date"] for r in rows], y=[r["pageviews"] for r in rows], mode="lines" if len(rows) > 60 else "lines+markers",
        name="Lượt xem",
        line=dict(color=NAVY, width=1.6), fill="tozeroy", fillcolor="rgba(47,117,181,0.12)",
        hovertemplate="%{x|%d/%m/%Y}<br>Lượt xem: %{y:,.0f}<extra></extra>",
    )
    layout = base_layout(
        320, showlegend=False,
        # a month label centred on a partly shown first month would hang over the chart's left edge on a phone: hidden
        xaxis=dict(tickformat="T%-m/%Y", dtick="M1", ticklabelmode="period", hoverformat="%d/%m/%Y",
                   ticklabeloverflow="hide past div"),
        yaxis=dict(title=dict(text="Lượt xem mỗi ngày")),
    )
    if highlight:
        # The shaded period and its label, as plotly.py's add_vrect(..., annotation_position="top left") writes them.
        layout["shapes"] = [dict(type="rect", xref="x", x0=highlight[0], x1=highlight[1], yref="y domain", y0=0, y1=1,
                                 fillcolor="#f9a825", opacity=0.12, line=dict(width=0))]
        layout["annotations"] = [dict(text="Kỳ báo cáo", showarrow=False, xref="x", x=highlight[0], xanchor="left",
                                      yref="y domain", y=1, yanchor="top")]
    fig = figure([trace], layout)
    if rows:
        peak = max(rows, key=lambda row: (row["pageviews"] or 0, row["date"]))
        title = f"Ngày đông nhất trên {site}: {fmt_date(peak['date'])} với {fmt_int(peak['pageviews'])} lượt xem"
        if peak["date"].month in EXAM_SEASON_MONTHS:
            title += f" ({EXAM_SEASON_NOTE})"
    else:
        title = f"Chưa có số liệu lượt xem theo ngày của {site}"
    return Chart(key, title, fig, 320)


def page_display_title(row: Row) -> str:
    """What a reader calls the page: its title, unless the title is empty or only a path ('/', '/tin-tuc'), which
    says nothing to a reader; a site's home page is then named after the site."""
    title = (row.get("page_title") or "").strip()
    if title and not title.startswith("/"):
        return title
    path = row.get("page_path") or "/"
    if path == "/":
        return f"Trang chủ {row.get('site') or ''}".strip()
    return f"{row.get('site') or ''}{path}"


def top_pages_bars(key: str, rows: list[Row], month: str) -> Chart:
    rows = sorted(rows, key=lambda row: row["rank_in_month"])
    labels = [axis_label(f"{row['rank_in_month']}. {page_display_title(row)}", 44) for row in rows]
    trace = dict(
        type="bar",
        y=labels, x=[r["pageviews"] for r in rows], orientation="h", marker=dict(color=BLUE),
        customdata=[[plotly_text(r["page_title"] or "", 120), plotly_text(r["site"]), plotly_text(r["page_path"], 80)] for r in rows],
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}%{customdata[2]}<br>Lượt xem: %{x:,.0f}<extra></extra>",
    )
    height = 90 + 38 * max(len(rows), 2)
    fig = figure([trace], base_layout(
        height, showlegend=False,
        yaxis=dict(autorange="reversed", automargin=True, rangemode="normal"),
        xaxis=dict(title=dict(text="Lượt xem")),
    ))
    if rows:
        title = f"Được xem nhiều nhất {period_label(month)}: «{page_display_title(rows[0])}»"
    else:
        title = f"Chưa có số liệu trang được xem nhiều nhất {period_label(month)}"
    return Chart(key, title, fig, height)


# ---- publication pipeline ------------------------------------------------------------------------------------
def pipeline_stages(key: str, row: Row | None, quarter: str) -> Chart:
    stages = [("submitted", "Bài gửi"), ("selected", "Được chọn, chờ đăng"), ("published", "Đã được đăng"),
              ("rejected", "Không sử dụng"), ("withdrawn", "Rút lại")]
    colours = [LIGHT, BLUE, NAVY, GREY, GREY]
    values = [row[c] if row else None for c, _ in stages]
    trace = dict(
        type="bar",
        x=[label for _, label in stages], y=values, marker=dict(color=colours), text=[fmt_int(v) for v in values],
        textposition="outside", hovertemplate="%{x}: %{y:,.0f} bài<extra></extra>", cliponaxis=False,
    )
    fig = figure([trace], base_layout(300, showlegend=False, yaxis=dict(title=dict(text="Số bài"))))
    if row:
        title = (f"Bài gửi trong {period_label(quarter)}: {fmt_int(row['submitted'])} bài (kể cả rút lại), đến nay "
                 f"{fmt_int(row['published'])} bài đã được đăng"
                 + (f" (tỷ lệ được chọn {fmt_pct(row['selection_rate_pct'])})" if row.get("selection_rate_pct") is not None else ""))
    else:
        title = f"{period_label(quarter)}: chưa có bài gửi"
    notes = ["Tính theo quý gửi bài."]
    if row and row.get("published_in_quarter") is not None:
        notes.append(f"Số bài được đăng trong {period_label(quarter)} (theo ngày đăng, gồm cả bài gửi từ quý trước): "
                     f"{fmt_int(row['published_in_quarter'])}.")
    if row and row.get("median_days_to_publication") is not None:
        notes.append(f"Thời gian trung vị từ khi gửi đến khi đăng: {fmt_number(row['median_days_to_publication'])} ngày.")
    return Chart(key, title, fig, 300, note=" ".join(notes))


def pipeline_channels(key: str, rows: list[Row], current_quarter: str) -> Chart:
    channels = [("published_portal", "Cổng thông tin", NAVY), ("published_press", "Báo chí", "#e07b00"),
                ("published_ministry", "Bộ GDĐT", "#6a9f3b")]
    x = [quarter_short_label(r["quarter"]) for r in rows]
    traces = [dict(type="bar", x=x, y=[r[column] for r in rows], name=name, marker=dict(color=colour),
                   customdata=[period_label(r["quarter"]) for r in rows],
                   hovertemplate="%{customdata}<br>" + name + ": %{y:,.0f} bài<extra></extra>")
              for column, name, colour in channels]
    fig = figure(traces, base_layout(300, barmode="stack", yaxis=dict(title=dict(text="Bài đã được đăng (theo quý gửi)"))))
    current = next((r for r in rows if r["quarter"] == current_quarter), None)
    if current and any((current[c] or 0) > 0 for c, _, _ in channels):
        main = max(channels, key=lambda channel: current[channel[0]] or 0)
        title = (f"Bài gửi trong {period_label(current_quarter)}: {main[1]} là kênh đăng nhiều bài nhất "
                 f"({fmt_int(current[main[0]])} bài)")
    else:
        title = f"Bài gửi trong {period_label(current_quarter)}: chưa có bài nào được đăng"
    return Chart(key, title, fig, 300, note="Bài đã được đăng theo kênh, tính theo quý gửi bài.")

