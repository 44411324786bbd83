"""Mid-quarter reminders: one Vietnamese message per unit that is behind (text and HTML) and an XLSX overview for the
department office, rendered from marts.kpi_nudges (the counting lives there). Nothing is sent."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from reports.format import esc, fmt_date, period_label

KIND_ORDER = ("articles", "feedback_overdue", "feedback_due_soon", "disclosure")
OVERVIEW_FILE = "tong_hop_nhac_viec.xlsx"


def read_nudges(db_path: Path) -> list[dict]:
    """Rows of marts.kpi_nudges; [] when the database predates the mart."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        present = con.execute("select count(*) from information_schema.tables "
                              "where table_schema = 'marts' and table_name = 'kpi_nudges'").fetchone()[0]
        if not present:
            return []
        cursor = con.execute("select * from marts.kpi_nudges order by unit_code, reminder_kind")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def _sentence(row: dict) -> str:
    kind, count, days = row["reminder_kind"], row["items_count"], row["days_left"]
    if kind == "articles":
        return (f"Bài viết {period_label(row['period'])}: còn thiếu {count} bài so với chỉ tiêu của quý; "
                f"còn {days} ngày đến hết quý.")
    if kind == "feedback_overdue":
        return (f"Phản ánh, kiến nghị đã quá hạn trả lời: {count} (quá hạn nhiều nhất {-days} ngày làm việc). "
                f"Mã: {row['detail_ids']}.")
    if kind == "feedback_due_soon":
        return (f"Phản ánh, kiến nghị sắp đến hạn trả lời: {count} (sớm nhất còn {days} ngày làm việc). "
                f"Mã: {row['detail_ids']}.")
    if kind == "disclosure":
        return (f"Công khai trên trang web trường (năm học {row['period']}): {count} trường chưa đủ mục bắt buộc, "
                f"còn {days} ngày đến hạn." if days is not None and days >= 0 else
                f"Công khai trên trang web trường (năm học {row['period']}): {count} trường chưa đủ mục bắt buộc, "
                "đã quá hạn.") + f" Trang: {row['detail_ids']}."
    return f"{kind}: {count}."


def _by_unit(rows: list[dict]) -> dict[str, list[dict]]:
    units: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda r: (r["unit_code"], KIND_ORDER.index(r["reminder_kind"])
                                           if r["reminder_kind"] in KIND_ORDER else 99)):
        units.setdefault(row["unit_code"], []).append(row)
    return units


def message_text(unit_rows: list[dict], as_of: dt.date) -> str:
    name = unit_rows[0]["unit_name"] or unit_rows[0]["unit_code"]
    lines = [f"Kính gửi: {name}", "",
             f"Văn phòng Sở nhắc các việc còn tồn đọng tính đến ngày {fmt_date(as_of)}:", ""]
    lines += [f"- {_sentence(row)}" for row in unit_rows]
    lines += ["", "Đề nghị đơn vị hoàn thành trước thời hạn. Trân trọng.", "Văn phòng Sở Giáo dục và Đào tạo"]
    return "\n".join(lines) + "\n"


def message_html(unit_rows: list[dict], as_of: dt.date) -> str:
    name = unit_rows[0]["unit_name"] or unit_rows[0]["unit_code"]
    items = "".join(f"<li>{esc(_sentence(row))}</li>" for row in unit_rows)
    return ("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
            f"<title>Nhắc việc {esc(name)} {esc(fmt_date(as_of))}</title></head><body>"
            f"<p>Kính gửi: <strong>{esc(name)}</strong></p>"
            f"<p>Văn phòng Sở nhắc các việc còn tồn đọng tính đến ngày {esc(fmt_date(as_of))}:</p><ul>{items}</ul>"
            "<p>Đề nghị đơn vị hoàn thành trước thời hạn. Trân trọng.<br>Văn phòng Sở Giáo dục và Đào tạo</p>"
            "</body></html>\n")


def _write_overview(rows: list[dict], path: Path) -> None:
    import xlsxwriter

    headers = [("unit_code", "Mã đơn vị"), ("unit_name", "Đơn vị"), ("reminder_kind", "Loại nhắc việc"),
               ("period", "Kỳ"), ("items_count", "Số lượng"), ("days_left", "Số ngày còn lại"),
               ("detail_ids", "Chi tiết (mã phản ánh / trang trường)"), ("as_of_date", "Tính đến ngày")]
    workbook = xlsxwriter.Workbook(str(path))
    try:
        sheet = workbook.add_worksheet("Nhắc việc")
        bold = workbook.add_format({"bold": True})
        for column, (_, title) in enumerate(headers):
            sheet.write(0, column, title, bold)
        for line, row in enumerate(rows, start=1):
            for column, (key, _) in enumerate(headers):
                value = row[key]
                sheet.write(line, column, value.isoformat() if isinstance(value, dt.date) else value)
    finally:
        workbook.close()


def write_nudges(rows: list[dict], out_dir: Path) -> list[Path]:
    """One <unit_code>.txt and .html per unit with a reminder, and the overview; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for unit_code, unit_rows in _by_unit(rows).items():
        as_of = unit_rows[0]["as_of_date"]
        for suffix, render in ((".txt", message_text), (".html", message_html)):
            path = out_dir / f"{unit_code}{suffix}"
            path.write_text(render(unit_rows, as_of), encoding="utf-8")
            written.append(path)
    overview = out_dir / OVERVIEW_FILE
    _write_overview(rows, overview)
    written.append(overview)
    return written
