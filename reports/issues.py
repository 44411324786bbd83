"""The "Dư luận và sự cố" section of a period page: social listening, communication incidents, the divisions' monthly
reports on issues of public concern (plan IV.2). Sentences and tables straight from the marts."""
from __future__ import annotations

from reports.format import esc, fmt_date, fmt_datetime, fmt_int, fmt_number, fmt_pct, period_label
from reports.marts import Marts, Period, Row
from reports.pages import Column, num_cell, table_html

ISSUES_MARTS = ("kpi_listening_daily", "fct_listening_spikes", "kpi_incidents", "fct_incidents", "kpi_monthly_reports")
REPORT_STATUS = {"on_time": "Đúng hạn", "late": "Trễ hạn", "missing": "Không nộp", "not_due": "Chưa đến hạn"}
ORIGINS = {"listening": "Theo dõi mạng xã hội", "press": "Báo chí", "hotline": "Đường dây nóng", "other": "Khác"}
SEVERITIES = {"low": "Thấp", "medium": "Trung bình", "high": "Cao", "critical": "Nghiêm trọng"}


def _b(text: str) -> str:
    return f"<strong>{esc(text)}</strong>"


def issues_summary(period: Period, headline: dict[str, Row]) -> list[str]:
    """Sentences for the page's summary and the section's opening."""
    sentences = []
    mentions = headline.get("listening_mentions")
    if mentions is not None and mentions.get("value") is not None:
        sentences.append(f"Theo dõi dư luận: {_b(fmt_int(mentions['value']))} đề cập về Sở trên báo chí và mạng xã hội.")
    unreviewed = headline.get("listening_spikes_without_incident")
    if unreviewed is not None and unreviewed.get("value"):
        sentences.append(f"{_b(fmt_int(unreviewed['value']))} ngày đề cập tăng đột biến chưa được ghi nhận thành sự cố "
                         "(cần rà soát).")
    response = headline.get("incident_median_hours_to_first_response")
    if response is not None and response.get("value") is not None:
        sentences.append(f"Sự cố truyền thông được phản hồi lần đầu sau {_b(fmt_number(response['value']))} giờ (trung vị).")
    on_time = headline.get("monthly_reports_on_time_pct")
    if on_time is not None and on_time.get("value") is not None:
        sentences.append(f"{_b(fmt_pct(on_time['value']))} báo cáo tháng về vấn đề dư luận quan tâm của các phòng được "
                         "nộp đúng hạn.")
    return sentences


def _spikes(m: Marts, period: Period) -> str:
    spikes = m.rows("select * from marts.fct_listening_spikes where spike_date between ? and ? order by spike_date",
                    [period.start, period.end])
    if not spikes:
        return f"<p>Không có ngày đề cập tăng đột biến trong {esc(period_label(period.code))}.</p>"
    columns = [
        Column("spike_date", "Ngày", lambda r: esc(fmt_date(r["spike_date"]))),
        Column("mention_count", "Đề cập", num_cell("mention_count"), True),
        Column("trailing_median", "Trung vị các ngày trước", num_cell("trailing_median", "number"), True),
        Column("first_incident_id", "Sự cố", lambda r: esc(r["first_incident_id"]) if r["became_incident"]
               else "<strong>chưa ghi nhận</strong>"),
    ]
    rule = m.rows("select * from reference.listening_reference")[0]
    return ("<h3>Ngày đề cập tăng đột biến</h3>" + table_html(columns, spikes, lambda r: {"data-day": str(r["spike_date"])})
            + f'<p class="muted">Đột biến: số đề cập trong ngày ít nhất gấp {esc(fmt_number(rule["spike_factor"]))} lần '
              f'trung vị của {esc(fmt_int(rule["spike_window_days"]))} ngày trước đó và ít nhất '
              f'{esc(fmt_int(rule["spike_min_mentions"]))} đề cập; được coi là đã thành sự cố khi có sự cố phát hiện trong '
              f'ngày đó hoặc {esc(fmt_int(rule["incident_match_days"]))} ngày sau.</p>')


def _incidents(m: Marts, period: Period) -> str:
    incidents = m.rows("""select * from marts.fct_incidents where detected_at >= ? and detected_at < ? + interval 1 day
                          order by detected_at, incident_id""", [period.start, period.end])
    if not incidents:
        return f"<p>Không có sự cố truyền thông trong {esc(period_label(period.code))}.</p>"
    columns = [
        Column("incident_id", "Mã", lambda r: esc(r["incident_id"])),
        Column("topic", "Chủ đề", lambda r: esc(r["topic"])),
        Column("detected_at", "Phát hiện", lambda r: esc(fmt_datetime(r["detected_at"]))),
        Column("detected_via", "Nguồn", lambda r: esc(ORIGINS.get(r["detected_via"], r["detected_via"]))),
        Column("severity", "Mức độ", lambda r: esc(SEVERITIES.get(r["severity"], r["severity"]))),
        Column("hours_to_first_response", "Giờ đến phản hồi", num_cell("hours_to_first_response", "number"), True),
        Column("hours_to_resolution", "Giờ đến khi kết thúc", num_cell("hours_to_resolution", "number"), True),
    ]
    return "<h3>Sự cố truyền thông</h3>" + table_html(columns, incidents, lambda r: {"data-incident": r["incident_id"]})


def _monthly_reports(m: Marts, period: Period) -> str:
    rows = [r for r in m._table("select * from marts.kpi_monthly_reports order by unit_code, month")
            if r["month"] in period.months]
    if not rows:
        return ""
    columns = [
        Column("unit_name", "Phòng", lambda r: esc(r["unit_name"])),
        Column("month", "Tháng", lambda r: esc(period_label(r["month"]))),
        Column("deadline_date", "Hạn nộp", lambda r: esc(fmt_date(r["deadline_date"]))),
        Column("submitted_at", "Ngày nộp", lambda r: esc(fmt_datetime(r["submitted_at"])) if r["submitted_at"] else "—"),
        Column("status", "Tình trạng", lambda r: esc(REPORT_STATUS.get(r["status"], r["status"]))),
        Column("issues_count", "Số vấn đề", num_cell("issues_count"), True),
        Column("on_time_streak", "Số tháng liên tiếp đúng hạn", num_cell("on_time_streak"), True),
    ]
    return ("<h3>Báo cáo tháng về vấn đề dư luận quan tâm của các phòng (Kế hoạch, mục IV.2)</h3>"
            + table_html(columns, rows, lambda r: {"data-unit": r["unit_code"], "data-month": r["month"]}))


def issues_section(m: Marts, period: Period, headline: dict[str, Row]) -> str:
    """The section, or '' when the warehouse has none of these marts (built before the sources existed)."""
    if not all(table in m.columns for table in ISSUES_MARTS):
        return ""
    parts = [f"<p>{s}</p>" for s in issues_summary(period, headline)]
    parts += [_spikes(m, period), _incidents(m, period), _monthly_reports(m, period)]
    return f'<section class="page-break" id="du-luan-su-co"><h2>Dư luận và sự cố truyền thông</h2>{"".join(parts)}</section>'
