"""The "Cán bộ phụ trách truyền thông" section of a period page (plan IV.3), from kpi_officer_coverage."""
from __future__ import annotations

from reports.format import esc, fmt_int, fmt_pct, period_label
from reports.marts import Marts, Period, Row
from reports.pages import Column, num_cell, table_html


def _coverage(m: Marts, period: Period) -> list[Row]:
    return m.rows(
        """select * from marts.kpi_officer_coverage where period_grain = ? and period = ?
           order by unit_code nulls first""", [period.grain, period.code])


def officers_section(m: Marts, period: Period) -> str:
    """The section, or '' when the warehouse has no officer mart (built before the roster source existed)."""
    if "kpi_officer_coverage" not in m.columns:
        return ""
    when = period_label(period.code)
    rows = _coverage(m, period)
    department = next((r for r in rows if r["unit_code"] is None), None)
    if department is None:
        body = f"<p>Chưa có danh sách cán bộ phụ trách truyền thông cho {esc(when)}.</p>"
    else:
        missing = [r for r in rows if r["unit_code"] is not None and not r["has_officer_at_end"]]
        names = ", ".join(r["unit_name"] or r["unit_code"] for r in missing)
        body = (f"<p><strong>{esc(fmt_int(department['units_with_officer_count']))}/"
                f"{esc(fmt_int(department['units_count']))}</strong> đơn vị đã cử cán bộ phụ trách truyền thông cuối kỳ "
                f"({esc(fmt_pct(department['units_with_officer_pct']))}); số lần thay cán bộ trong kỳ: "
                f"{esc(fmt_int(department['changes_count']))}."
                + (f" Chưa có: {esc(names)}." if missing else "") + "</p>")
        columns = [
            Column("unit_name", "Đơn vị", lambda r: esc(r["unit_name"] or r["unit_code"])),
            Column("covered_days_pct", "Số ngày có cán bộ", num_cell("covered_days_pct", "pct"), True),
            Column("has_officer_at_end", "Cuối kỳ", lambda r: "có" if r["has_officer_at_end"] else "chưa có"),
            Column("changes_count", "Thay cán bộ", num_cell("changes_count"), True),
        ]
        body += (f"<details><summary>Theo đơn vị, {esc(when)}</summary>"
                 + table_html(columns, [r for r in rows if r["unit_code"] is not None],
                              lambda r: {"data-unit": r["unit_code"]}) + "</details>")
    return f'<section class="page-break" id="can-bo-truyen-thong"><h2>Cán bộ phụ trách truyền thông</h2>{body}</section>'
