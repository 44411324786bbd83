"""Builds the bad-input cases that are not kept as small text files: XLSX, Parquet, gzip, UTF-16, Windows-1258, huge fields.

Each builder writes one delivery to the path it is given; tests/bad_inputs/cases.yaml names the builder of a case (`build:`).
`python -m tests.bad_inputs.build OUT_DIR` writes them all, in the data/raw layout, to look at them.
"""
from __future__ import annotations

import datetime as dt
import gzip
import sys
from collections.abc import Callable
from pathlib import Path

from tests.fixtures.ingestion.build import (
    SUBMISSIONS_HEADER,
    cp1258_bytes,
    ga4_event,
    write_ga4_ndjson,
    write_ga4_parquet,
    write_submissions_xlsx,
)

BUILDERS: dict[str, Callable[[Path], None]] = {}

SUBMISSIONS_CSV_HEADER = ",".join(SUBMISSIONS_HEADER) + "\n"
FEEDBACK_HEADER = [
    "Mã phản ánh", "Thời điểm tiếp nhận", "Kênh tiếp nhận", "Lĩnh vực", "Họ tên người phản ánh", "Số điện thoại", "Email",
    "Nội dung", "Đơn vị được giao", "Thời điểm chuyển", "Đơn vị trả lời", "Thời điểm trả lời", "Chức danh người trả lời",
    "Thời điểm công khai", "Trạng thái",
]
SUBMISSIONS_TEXT = SUBMISSIONS_CSV_HEADER + (
    "BV-C-01,Phòng Giáo dục và Đào tạo quận Gò Vấp,01/08/2024 08:00,Hội nghị tổng kết năm học,I.1,Phạm Thị Hường,Đã tiếp nhận,,,\n"
    "BV-C-02,PGD_Q1,02/08/2024 09:00,\"Ngày hội đọc sách, Quận 1\",III.2,Đỗ Quốc Việt,Đã đăng,03/08/2024 08:00,Báo chí,\n"
)
ACCESS_LINES = (
    '113.161.1.10 - - [12/Mar/2024:08:00:00 +0700] "GET / HTTP/1.1" 200 5000 "-" "Mozilla/5.0 (Windows NT 10.0)"\n'
    '113.161.1.10 - - [12/Mar/2024:08:00:01 +0700] "GET /favicon.ico HTTP/1.1" 200 300 "-" "Mozilla/5.0 (Windows NT 10.0)"\n'
    '40.77.167.1 - - [12/Mar/2024:08:30:00 +0700] "GET /tin-tuc HTTP/1.1" 200 7000 "-" "Mozilla/5.0 (compatible; bingbot/2.0)"\n'
)


def builder(function: Callable[[Path], None]) -> Callable[[Path], None]:
    BUILDERS[function.__name__] = function
    return function


def _workbook():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    return workbook


# --- encodings -------------------------------------------------------------------------------------------------------

@builder
def submissions_utf16_bom(path: Path) -> None:
    """Excel's 'Unicode text' / some exports: UTF-16 little-endian with its byte-order mark."""
    path.write_bytes(SUBMISSIONS_TEXT.replace("\n", "\r\n").encode("utf-16"))


@builder
def submissions_utf16_no_bom(path: Path) -> None:
    path.write_bytes(SUBMISSIONS_TEXT.encode("utf-16-le"))


@builder
def submissions_cp1258(path: Path) -> None:
    """Windows-1258: tone marks as separate (combining) characters."""
    path.write_bytes(cp1258_bytes(SUBMISSIONS_TEXT.replace("\n", "\r\n")))


@builder
def feedback_cp1258(path: Path) -> None:
    text = ",".join(FEEDBACK_HEADER) + "\n" + (
        "PA-C-01,2024-04-02 08:00:00,Cổng thông tin,Thi cử,Phạm Thị Hường,0987654321,,Đề nghị công bố lịch thi sớm hơn,"
        "PGD_GVAP,,PGD_GVAP,2024-04-10 09:30:00,Phó Trưởng phòng,2024-04-11 08:00:00,Đã trả lời\n"
        "PA-C-02,2024-05-14 13:20:00,Đường dây nóng,An toàn trường học,Đỗ Quốc Việt,,,Trường học thiếu bảo vệ,PGD_NBE,,,,,,Đang xử lý\n"
    )
    path.write_bytes(cp1258_bytes(text.replace("\n", "\r\n")))


# --- huge fields -----------------------------------------------------------------------------------------------------

@builder
def submissions_huge_fields(path: Path) -> None:
    """A 1 MB title on a valid row, and a 100 000-character status (not an accepted value)."""
    title = "Tin dài " + "rất dài " * 125_000
    status = "Đã đăng " * 12_500
    path.write_text(
        SUBMISSIONS_CSV_HEADER
        + f"BV-C-11,PGD_Q1,01/08/2024 08:00,\"{title}\",II.1,,Đã tiếp nhận,,,\n"
        + f"BV-C-12,PGD_Q1,01/08/2024 08:00,Trạng thái quá dài,II.1,,{status},,,\n",
        encoding="utf-8",
    )


@builder
def feedback_huge_content(path: Path) -> None:
    """Content of 600 000 characters with a phone number at its end (it must still be masked)."""
    content = "Phản ánh rất dài. " * 33_000 + "Liên hệ 0909 123 456."
    path.write_text(
        ",".join(FEEDBACK_HEADER) + "\n"
        + f"PA-C-11,2024-03-10 10:00:00,Email,Khác,,,,\"{content}\",PGD_Q1,,,,,,Đang xử lý\n",
        encoding="utf-8",
    )


# --- XLSX ------------------------------------------------------------------------------------------------------------

SUBMISSION_ROWS_Q3 = [
    ["BV-C-21", "PGD_Q5", dt.datetime(2024, 7, 3, 9, 0), "Khai giảng lớp học hè", "III.1", None, "Đã đăng",
     dt.datetime(2024, 7, 5, 8, 0), "Cổng thông tin", None],
    ["BV-C-22", "Phòng Giáo dục và Đào tạo huyện Củ Chi", "15/08/2024 10:30", "Phổ cập giáo dục", "II.6", None,
     "Được chọn", None, None, None],
]
SUBMISSION_ROWS_Q4 = [
    ["BV-C-23", "PGD_Q3", dt.datetime(2024, 10, 3, 9, 0), "Hội thao", "III.3", None, "Đã tiếp nhận", None, None, None],
]


@builder
def submissions_xlsx_title_rows(path: Path) -> None:
    """Three title rows above the header (the header is on sheet row 4), typed dates and a date typed as text."""
    write_submissions_xlsx(path, SUBMISSION_ROWS_Q3, title_rows=True)


@builder
def submissions_xlsx_instructions_first(path: Path) -> None:
    """An instructions sheet first; the list on sheet 'Danh sách' (the mapping's sheet), second."""
    workbook = _workbook()
    notes = workbook.create_sheet("Hướng dẫn")
    notes.append(["Điền mỗi bài một dòng ở trang Danh sách. Ngày theo dạng dd/mm/yyyy."])
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(SUBMISSIONS_HEADER)
    for row in SUBMISSION_ROWS_Q3:
        sheet.append(row)
    workbook.save(path)


@builder
def submissions_xlsx_two_lists(path: Path) -> None:
    """Two sheets holding lists (Q3 and Q4): only one list per file is read, so the file is refused."""
    workbook = _workbook()
    for name, rows in (("Quý 3", SUBMISSION_ROWS_Q3), ("Quý 4", SUBMISSION_ROWS_Q4)):
        sheet = workbook.create_sheet(name)
        sheet.append(SUBMISSIONS_HEADER)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


@builder
def submissions_xlsx_numbers(path: Path) -> None:
    """An id typed as a number, numbers stored as text, a date as a real Excel date and another as text."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Danh sách")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, SUBMISSIONS_HEADER)
    sheet.write_number(1, 0, 2024101)
    sheet.write_string(1, 1, "PGD_Q1")
    sheet.write_datetime(1, 2, dt.datetime(2024, 9, 2, 8, 15), date_format)
    sheet.write_string(1, 3, "Số liệu tuyển sinh")
    sheet.write_string(1, 4, "II.5")
    sheet.write_string(1, 6, "Đã tiếp nhận")
    sheet.write_string(2, 0, "2024102")  # a number stored as text
    sheet.write_string(2, 1, "PGD_Q3")
    sheet.write_string(2, 2, "03/09/2024 09:00")
    sheet.write_number(2, 3, 2024)  # a title that is a number
    sheet.write_string(2, 6, "Đã tiếp nhận")
    workbook.close()


@builder
def submissions_xlsx_formula_with_result(path: Path) -> None:
    """Formula cells saved with their result (as Excel saves them): the result is read."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Danh sách")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, SUBMISSIONS_HEADER)
    sheet.write_row(1, 0, ["BV-C-31", "PGD_Q1"])
    sheet.write_formula(1, 2, "=DATE(2024,9,2)+TIME(8,0,0)", date_format, 45537 + 8 / 24)
    sheet.write_formula(1, 3, '="Tin "&"tháng 9"', None, "Tin tháng 9")
    sheet.write_string(1, 6, "Đã tiếp nhận")
    workbook.close()


@builder
def submissions_xlsx_formula_without_result(path: Path) -> None:
    """Formula cells as a script writes them (openpyxl): no saved result, so they read as empty."""
    workbook = _workbook()
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(SUBMISSIONS_HEADER)
    sheet.append(["BV-C-41", "PGD_Q1", "=DATE(2024,9,2)", "Tin có công thức", "II.1", None, "Đã tiếp nhận", None, None, None])
    sheet.append(["BV-C-42", "PGD_Q1", "02/09/2024 08:00", "Tin không có công thức", "=\"II.\"&1", None, "Đã tiếp nhận",
                  None, None, None])
    sheet.append(["BV-C-43", "PGD_Q1", "02/09/2024 08:00", "Hợp lệ", "II.1", None, "Đã tiếp nhận", None, None, None])
    workbook.save(path)


@builder
def feedback_xlsx_phone_as_number(path: Path) -> None:
    """Phone typed as a number (Excel drops the leading 0) and a time typed as a real Excel date."""
    workbook = _workbook()
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(FEEDBACK_HEADER)
    sheet.append(["PA-C-51", dt.datetime(2024, 3, 10, 10, 0), "Email", "Khác", "Lê Văn Tám", 903123456, None, "Hỏi lịch thi",
                  "PGD_Q1", None, None, None, None, None, "Đang xử lý"])
    workbook.save(path)


@builder
def page_report_xlsx(path: Path) -> None:
    """A page report saved as XLSX: numbers as numbers and as text, the date as text."""
    workbook = _workbook()
    sheet = workbook.create_sheet("Pages")
    sheet.append(["date", "hostName", "pagePath", "pageTitle", "screenPageViews", "activeUsers", "sessions",
                  "userEngagementDuration"])
    sheet.append(["20240304", "hcm.edu.vn", "/", "Trang chủ", 120, 80, 95, 3600.5])
    sheet.append(["20240304", "hcm.edu.vn", "/a", "A", "45", "40", "41", "900"])
    workbook.save(path)


# --- analytics: Parquet, gzip, UTF-16 --------------------------------------------------------------------------------

@builder
def ga4_parquet_missing_params(path: Path) -> None:
    """A page_view without any event_params (no page_location), one without ga_session_id, a valid one."""
    events = [
        ga4_event("2024-03-04 09:00:00", "page_view", None),
        ga4_event("2024-03-04 09:00:01", "page_view", "https://hcm.edu.vn/", "Trang chủ"),
        ga4_event("2024-03-04 09:00:02", "session_start", None),
    ]
    events[0]["event_params"] = []
    events[1]["event_params"] = [p for p in events[1]["event_params"] if p["key"] != "ga_session_id"]
    events[2]["event_params"] = []
    write_ga4_parquet(path, events)


@builder
def ga4_parquet_other_schema(path: Path) -> None:
    """A Parquet file from another export (no event_params column at all)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"event_date": ["20240309"], "event_timestamp": [1709949600000000], "event_name": ["page_view"]}),
                   path)


@builder
def ga4_gzip_cut_short(path: Path) -> None:
    events = [ga4_event(f"2024-03-07 09:00:{s:02d}", "page_view", "https://hcm.edu.vn/") for s in range(40)]
    write_ga4_ndjson(path, events, gzipped=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


@builder
def ga4_utf16(path: Path) -> None:
    plain = path.with_name(".plain.ndjson")
    write_ga4_ndjson(plain, [ga4_event("2024-03-08 09:00:00", "page_view", "https://hcm.edu.vn/")])
    path.write_bytes(plain.read_text(encoding="utf-8").encode("utf-16"))
    plain.unlink()


@builder
def access_log_gzip(path: Path) -> None:
    path.write_bytes(gzip.compress(ACCESS_LINES.encode()))


@builder
def access_log_gzip_cut_short(path: Path) -> None:
    lines = "".join(ACCESS_LINES.replace("12/Mar", "14/Mar") for _ in range(30))
    data = gzip.compress(lines.encode())
    path.write_bytes(data[: len(data) // 2])


@builder
def access_log_not_utf8(path: Path) -> None:
    path.write_bytes(
        b'1.1.1.1 - - [15/Mar/2024:09:15:02 +0700] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0"\n'
        b'2.2.2.2 - - [15/Mar/2024:09:15:03 +0700] "GET /b HTTP/1.1" 200 5 "-" "Mo\xff\xfezilla"\n'
        b'3.3.3.3 - - [15/Mar/2024:09:15:04 +0700] "GET /c HTTP/1.1" 200 5 "-" "Mozilla/5.0"\n'
    )


def build(name: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    BUILDERS[name](path)


if __name__ == "__main__":
    import yaml

    out = Path(sys.argv[1])
    manifest = yaml.safe_load((Path(__file__).with_name("cases.yaml")).read_text(encoding="utf-8"))
    for case in manifest["cases"]:
        if case.get("build"):
            build(case["build"], out / case["file"])
            print(out / case["file"])


DISCLOSURE_PAGE = ('<!DOCTYPE html>\n<html lang="vi">\n<head>\n{charset}<title>Công khai năm học 2023-2024</title>\n</head>\n'
                   '<body>\n<h1>Công khai năm học 2023-2024</h1>\n<p><a href="../files/doi-ngu.pdf">Đội ngũ nhà giáo</a> '
                   '(đăng ngày 20/06/2024)</p>\n</body>\n</html>\n')


@builder
def disclosure_utf16(path: Path) -> None:
    """A page saved as UTF-16 ("Unicode") by a desktop editor."""
    path.write_bytes(DISCLOSURE_PAGE.format(charset="").encode("utf-16"))


@builder
def disclosure_cp1258_declared(path: Path) -> None:
    """A page in Windows-1258 that says so in <meta charset>, tone marks as combining characters (decomposed)."""
    path.write_bytes(cp1258_bytes(DISCLOSURE_PAGE.format(charset='<meta charset="windows-1258">\n')))


@builder
def disclosure_cp1258_undeclared(path: Path) -> None:
    """The same Windows-1258 page without a charset: its bytes are not UTF-8 and nothing says what they are."""
    path.write_bytes(cp1258_bytes(DISCLOSURE_PAGE.format(charset="")))
