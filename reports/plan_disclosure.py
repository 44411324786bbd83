"""Two sections of a period page: "Độ phủ nội dung kế hoạch" (plan items that got articles, and those due that got none)
and "Công khai trên trang web trường" (school disclosure by district office, with the incomplete schools per unit)."""
from __future__ import annotations

from reports.format import esc, fmt_date, fmt_int, period_label
from reports.marts import Marts, Period, Row
from reports.pages import Column, num_cell, table_html

PLAN_MARTS = ("kpi_plan_coverage",)
DISCLOSURE_MARTS = ("kpi_disclosure", "kpi_disclosure_units")


def _coverage(m: Marts, period: Period) -> list[Row]:
    return m.rows("select * from marts.kpi_plan_coverage where quarter = ? order by plan_item_id", [period.quarter])


def plan_coverage_section(m: Marts, period: Period) -> str:
    """The section, or '' when the warehouse predates the mart."""
    if not all(table in m.columns for table in PLAN_MARTS):
        return ""
    rows = _coverage(m, period)
    quarter = period_label(period.quarter)
    if not rows:
        return ""
    due = [r for r in rows if r["is_due"]]
    empty = [r for r in rows if r["is_due_without_articles"]]
    covered = [r for r in due if r["articles_total"] > 0]
    parts = [f"<p><strong>{esc(fmt_int(len(covered)))}/{esc(fmt_int(len(due)))}</strong> mục của Kế hoạch truyền thông "
             f"phải thực hiện trong {esc(quarter)} đã có bài viết.</p>"]
    if empty:
        listed = "; ".join(f"{r['plan_item_id']} {r['topic']}" for r in empty)
        parts.append(f'<p class="alert">Đến hạn mà chưa có bài nào: {esc(listed)}.</p>')
    columns = [
        Column("plan_item_id", "Mục", lambda r: esc(r["plan_item_id"])),
        Column("topic", "Nội dung", lambda r: esc(r["topic"])),
        Column("period", "Thời gian", lambda r: esc(r["period"])),
        Column("articles_submitted", "Bài gửi", num_cell("articles_submitted"), True),
        Column("articles_on_portal", "Đăng trên Cổng", num_cell("articles_on_portal"), True),
        Column("facebook_posts", "Fanpage", num_cell("facebook_posts"), True),
        Column("zalo_posts", "Zalo OA", num_cell("zalo_posts"), True),
        Column("lead_unit_share_pct", "Tỷ lệ của đơn vị chủ trì", num_cell("lead_unit_share_pct", "pct"), True),
    ]
    parts.append(table_html(columns, rows, lambda r: {"data-item": r["plan_item_id"],
                                                       "data-due-empty": str(r["is_due_without_articles"]).lower()}))
    parts.append('<p class="muted">Bài được gắn với mục kế hoạch theo cột "Mục kế hoạch" do đơn vị ghi; nếu trống, theo từ '
                 'khóa của mục trong tiêu đề (không phân biệt dấu, data/reference/plan_items.csv). Một bài có thể thuộc '
                 'nhiều mục.</p>')
    return f'<section class="page-break" id="do-phu-ke-hoach"><h2>Độ phủ nội dung kế hoạch</h2>{"".join(parts)}</section>'


def _school_year(m: Marts, period: Period) -> str | None:
    """The school year whose deadline falls in or next after the period (else the last one)."""
    row = m.one("""select coalesce(min(school_year) filter (where deadline >= ?), max(school_year)) as school_year
                   from marts.kpi_disclosure_units""", [period.start])
    return row["school_year"] if row else None


def disclosure_section(m: Marts, period: Period) -> str:
    """The section with the per-unit table and, per unit, its incomplete schools; '' without the marts or data."""
    if not all(table in m.columns for table in DISCLOSURE_MARTS):
        return ""
    school_year = _school_year(m, period)
    if school_year is None:
        return ""
    units = m.rows("""select * from marts.kpi_disclosure_units where school_year = ?
                      order by schools_complete_pct, reporting_unit_code nulls last""", [school_year])
    deadline = units[0]["deadline"] if units else None
    schools = sum(u["schools"] for u in units)
    complete = sum(u["schools_complete"] for u in units)
    parts = [f"<p>Năm học {esc(school_year)} (hạn {esc(fmt_date(deadline))}): <strong>{esc(fmt_int(complete))}/"
             f"{esc(fmt_int(schools))}</strong> trường công khai đủ các mục bắt buộc trên trang web.</p>"]
    columns = [
        Column("reporting_unit_name", "Đơn vị", lambda r: esc(r["reporting_unit_name"] or "Chưa xác định đơn vị")),
        Column("schools", "Số trường", num_cell("schools"), True),
        Column("schools_complete", "Đủ mục", num_cell("schools_complete"), True),
        Column("schools_complete_pct", "Tỷ lệ đủ", num_cell("schools_complete_pct", "pct"), True),
        Column("sections_missing", "Mục thiếu", num_cell("sections_missing"), True),
        Column("sections_late", "Mục muộn", num_cell("sections_late"), True),
    ]
    parts.append(table_html(columns, units, lambda r: {"data-unit": r["reporting_unit_code"] or ""}))
    incomplete = m.rows("""select reporting_unit_code, reporting_unit_name, site_host, missing_sections, sections_late
                           from marts.kpi_disclosure where school_year = ? and not is_complete
                           order by reporting_unit_code nulls last, site_host""", [school_year])
    by_unit: dict[str, list[Row]] = {}
    for row in incomplete:
        by_unit.setdefault(row["reporting_unit_name"] or "Chưa xác định đơn vị", []).append(row)
    for unit_name, rows in by_unit.items():
        items = "".join(f"<li>{esc(r['site_host'])}: thiếu {esc(r['missing_sections'])}</li>" for r in rows)
        parts.append(f"<details><summary>{esc(unit_name)}: {esc(fmt_int(len(rows)))} trường chưa đủ</summary>"
                     f"<ul>{items}</ul></details>")
    parts.append('<p class="muted">Theo Thông tư 09/2024/TT-BGDĐT; các mục, từ khóa và hạn ở data/reference/'
                 'disclosure_sections.csv và disclosure_reference.csv. Liên kết tới tệp không có trong bản lưu được tính '
                 'là thiếu.</p>')
    return f'<section class="page-break" id="cong-khai"><h2>Công khai trên trang web trường</h2>{"".join(parts)}</section>'
