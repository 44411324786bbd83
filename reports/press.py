"""The "Báo chí" section of a period page: answers to press requests per unit, from kpi_press_response."""
from __future__ import annotations

from reports.format import esc, fmt_int, fmt_pct, period_label
from reports.marts import Marts, Period, Row
from reports.pages import Column, num_cell, table_html

PRESS_MARTS = ("kpi_press_response", "fct_press_requests")
MEDIA_MARTS = ("kpi_press_coverage", "kpi_press_events")
EVENT_TYPE_LABELS = {"press_conference": "Họp báo", "seminar": "Hội thảo", "talk": "Tọa đàm", "livestream": "Livestream"}
URGENCY_LABELS = {"normal": "Thường", "hot_event": "Sự kiện nóng"}


def _b(text: str) -> str:
    return f"<strong>{esc(text)}</strong>"


def _response(m: Marts, period: Period) -> list[Row]:
    return m.rows(
        """select * from marts.kpi_press_response where period_grain = ? and period = ?
           order by unit_code nulls first""", [period.grain, period.code])


def press_summary(headline: dict[str, Row]) -> list[str]:
    """Sentences for the page's summary and the section's opening."""
    received = headline.get("press_received")
    within = headline.get("press_within_deadline_pct")
    if received is None or received.get("value") is None:
        return []
    sentence = f"Báo chí: {_b(fmt_int(received['value']))} đề nghị cung cấp thông tin"
    if within is not None and within.get("value") is not None:
        met = within.get("meets_target")
        verdict = "" if met is None else " (đạt mục tiêu)" if met else f" (mục tiêu {fmt_pct(within['target'])})"
        sentence += f"; {_b(fmt_pct(within['value']))} số đã trả lời là đúng hạn" + esc(verdict)
    return [sentence + "."]


def _deadlines(m: Marts, period: Period) -> list[Row]:
    return m.rows(
        """select urgency, deadline_value, deadline_unit, legal_basis, count(*) as requests
           from marts.fct_press_requests where received_date between ? and ?
           group by all order by urgency, deadline_value""", [period.start, period.end])


def press_section(m: Marts, period: Period, headline: dict[str, Row]) -> str:
    """The section, or '' when the warehouse has no press marts (built before the press source existed)."""
    if not all(table in m.columns for table in PRESS_MARTS):
        return ""
    when = period_label(period.code)
    rows = _response(m, period)
    parts = [f"<p>{s}</p>" for s in press_summary(headline)]
    if not rows or not rows[0]["received_count"]:
        parts.append(f"<p>Chưa có đề nghị của báo chí trong {esc(when)}.</p>")
    else:
        columns = [
            Column("unit_name", "Đơn vị", lambda r: esc(r["unit_name"] or r["unit_code"] or "")),
            Column("received_count", "Tiếp nhận", num_cell("received_count"), True),
            Column("hot_event_count", "Sự kiện nóng", num_cell("hot_event_count"), True),
            Column("answered_count", "Đã trả lời", num_cell("answered_count"), True),
            Column("answered_within_deadline_pct", "Đúng hạn", num_cell("answered_within_deadline_pct", "pct"), True),
            Column("median_hours_to_answer", "Trung vị (giờ)", num_cell("median_hours_to_answer", "number"), True),
            Column("p90_hours_to_answer", "P90 (giờ)", num_cell("p90_hours_to_answer", "number"), True),
            Column("open_overdue_count", "Quá hạn chưa trả lời", num_cell("open_overdue_count"), True),
        ]
        parts.append(f"<h3>Trả lời báo chí theo đơn vị, {esc(when)}</h3>"
                     + table_html(columns, rows, lambda r: {"data-unit": r["unit_code"] or "all"}))
        deadlines = _deadlines(m, period)
        if deadlines:
            items = "".join(
                f"<li>{esc(URGENCY_LABELS.get(d['urgency'], d['urgency']))}: {esc(fmt_int(d['deadline_value']))} "
                f"{'giờ' if d['deadline_unit'] == 'hours' else 'ngày làm việc'} — {esc(d['legal_basis'] or '')}</li>"
                for d in deadlines)
            parts.append(f'<p class="muted">Thời hạn áp dụng theo ngày tiếp nhận:</p><ul class="muted">{items}</ul>')
    parts += _media(m, period)
    return f'<section class="page-break" id="bao-chi"><h2>Báo chí</h2>{"".join(parts)}</section>'


def _media(m: Marts, period: Period) -> list[str]:
    """Coverage by month and tone (all outlets) and events by type in the period's quarter(s)."""
    if not all(table in m.columns for table in MEDIA_MARTS):
        return []
    parts = []
    coverage = [r for r in m._table("select * from marts.kpi_press_coverage where outlet is null order by month")
                if r["month"] in period.months]
    if coverage:
        columns = [
            Column("month", "Tháng", lambda r: esc(period_label(r["month"]))),
            Column("articles", "Bài viết về ngành", num_cell("articles"), True),
            Column("positive_articles", "Tích cực", num_cell("positive_articles"), True),
            Column("neutral_articles", "Trung lập", num_cell("neutral_articles"), True),
            Column("negative_articles", "Tiêu cực", num_cell("negative_articles"), True),
            Column("negative_pct", "Tỷ lệ tiêu cực", num_cell("negative_pct", "pct"), True),
        ]
        parts.append("<h3>Bài viết trên báo chí theo sắc thái</h3>"
                     + table_html(columns, coverage, lambda r: {"data-month": r["month"]}))
    events = [r for r in m._table("select * from marts.kpi_press_events where event_type is not null order by quarter, event_type")
              if r["quarter"] == period.quarter]
    if events:
        columns = [
            Column("event_type", "Hình thức", lambda r: esc(EVENT_TYPE_LABELS.get(r["event_type"], r["event_type"]))),
            Column("events", "Số sự kiện", num_cell("events"), True),
            Column("leadership_led_events", "Lãnh đạo Sở chủ trì", num_cell("leadership_led_events"), True),
            Column("attendance_total", "Người tham dự", num_cell("attendance_total"), True),
        ]
        parts.append(f"<h3>Họp báo, hội thảo, tọa đàm, livestream, {esc(period_label(period.quarter))}</h3>"
                     + table_html(columns, events, lambda r: {"data-event-type": r["event_type"]}))
    return parts
