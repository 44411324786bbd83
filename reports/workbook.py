"""The tables of one period report as an Excel workbook (xlsxwriter), Vietnamese headers, one sheet per table.

Values are the marts' own numbers (percentages as 0–100 numbers with one decimal, as the pages show them), not text,
so a reader can sort and total them in Excel.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from reports.format import QUOTA_STATUS_LABELS, period_label
from reports.marts import Marts, Period

Row = dict[str, Any]


@dataclass(frozen=True)
class Field:
    header: str
    value: Callable[[Row], Any]
    kind: str = "text"  # 'text' | 'count' | 'pct' | 'number'


def col(name: str) -> Callable[[Row], Any]:
    return lambda row: row.get(name)


def _sheets(marts: Marts, period: Period) -> list[tuple[str, list[Field], list[Row]]]:
    headline = list(marts.headline(period).values())
    quota = [r for r in marts.quota_rows() if r["quarter"] == period.quarter]
    feedback = marts.feedback(period.grain, period=period.code) + marts.feedback(period.grain, period=period.code, all_units=True)
    portal = [r for month in period.months for r in marts.portal_monthly(None) if r["month"] == month]
    sites = marts.portal_sites_in_month(period.months[-1])
    pipeline = marts.pipeline_rows(period.quarter)
    return [
        ("Chỉ số chính", [
            Field("Chỉ số", col("metric")), Field("Giá trị", col("value"), "number"),
            Field("Kỳ trước", col("previous_value"), "number"), Field("Thay đổi", col("change"), "number"),
            Field("Mục tiêu", col("target"), "number"),
            Field("Đạt mục tiêu", lambda r: {True: "Đạt", False: "Chưa đạt"}.get(r.get("meets_target"), "")),
        ], headline),
        ("Chỉ tiêu bài viết", [
            Field("Mã đơn vị", col("unit_code")), Field("Đơn vị", col("unit_name")), Field("Quý", lambda r: period_label(r["quarter"])),
            Field("Bài gửi trong quý (không tính bài rút lại)", col("articles_submitted"), "count"),
            Field("Chỉ tiêu", col("quota"), "count"), Field("Trong đó đã được đăng", col("articles_published"), "count"),
            Field("Dự kiến cuối quý", col("projected_articles"), "number"),
            Field("Tình trạng", lambda row: QUOTA_STATUS_LABELS[row["quota_status"]]),
        ], quota),
        ("Phản ánh kiến nghị", [
            Field("Mã đơn vị", col("unit_code")), Field("Đơn vị", col("unit_name")), Field("Kỳ", lambda r: period_label(r["period"])),
            Field("Tiếp nhận", col("received_count"), "count"), Field("Đã trả lời", col("answered_count"), "count"),
            Field("Trả lời đúng hạn (%)", col("answered_within_sla_pct"), "pct"),
            Field("Trung vị (ngày làm việc)", col("median_working_days"), "number"),
            Field("Đúng đơn vị trả lời (%)", col("answered_by_assigned_unit_pct"), "pct"),
            Field("Đúng chức danh trả lời (%)", col("answered_by_authorised_title_pct"), "pct"),
            Field("Trả lời được công khai (%)", col("answers_published_pct"), "pct"),
            Field("Đang mở quá 10 ngày làm việc", col("open_backlog_over_10"), "count"),
        ], feedback),
        ("Cổng thông tin theo tháng", [
            Field("Tháng", lambda r: period_label(r["month"])), Field("Lượt xem", col("pageviews"), "count"),
            Field("Người dùng (không trùng trong tháng)", col("users"), "count"),
            Field("Lượt người dùng theo ngày", col("user_days"), "count"),
            Field("Lượt xem so với tháng trước (%)", col("pageviews_change_pct"), "pct"),
        ], portal),
        ("Trang thành phần", [
            Field("Trang", col("site")), Field("Đơn vị", col("unit_name")), Field("Tháng", lambda r: period_label(r["month"])),
            Field("Lượt xem", col("pageviews"), "count"),
            Field("Người dùng (không trùng trong tháng)", col("users"), "count"),
            Field("Lượt người dùng theo ngày", col("user_days"), "count"),
            Field("Lượt xem so với tháng trước (%)", col("pageviews_change_pct"), "pct"),
        ], sites),
        ("Bài gửi và bài đăng", [
            Field("Mã đơn vị", col("unit_code")), Field("Đơn vị", col("unit_name")),
            Field("Quý gửi", lambda r: period_label(r["quarter"])),
            Field("Bài gửi (kể cả rút lại)", col("submitted"), "count"), Field("Rút lại", col("withdrawn"), "count"),
            Field("Bài gửi (không tính rút lại)", col("submitted_not_withdrawn"), "count"),
            Field("Được chọn, chờ đăng", col("selected"), "count"), Field("Đã được đăng", col("published"), "count"),
            Field("Không sử dụng", col("rejected"), "count"),
            Field("Đăng trong quý (theo ngày đăng)", col("published_in_quarter"), "count"),
        ], pipeline),
    ]


def write_period_workbook(path: Path, marts: Marts, period: Period) -> Path:
    """Writes the workbook atomically (a reader never opens half a file); returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    book = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
    # A fixed creation time: the same marts give the same file.
    book.set_properties({"title": f"Báo cáo chỉ số truyền thông {period_label(period.code)}", "created": None})
    header = book.add_format({"bold": True, "bg_color": "#eef2f7", "text_wrap": True, "valign": "top", "border": 1})
    formats = {"count": book.add_format({"num_format": "#,##0"}), "pct": book.add_format({"num_format": "0.0"}),
               "number": book.add_format({"num_format": "#,##0.0"}), "text": None}
    for name, fields, rows in _sheets(marts, period):
        sheet = book.add_worksheet(name[:31])
        for c, field in enumerate(fields):
            sheet.write_string(0, c, field.header, header)
            sheet.set_column(c, c, max(12, min(40, len(field.header) + 2)))
        for r, row in enumerate(rows, start=1):
            for c, field in enumerate(fields):
                value = field.value(row)
                if value is None:
                    sheet.write_blank(r, c, None)
                elif field.kind == "text" or isinstance(value, str):
                    sheet.write_string(r, c, str(value))
                else:
                    sheet.write_number(r, c, float(value), formats[field.kind])
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(fields) - 1)
    book.close()
    os.replace(tmp, path)
    return path
