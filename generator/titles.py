"""Vietnamese titles of news and plan items, from templates that fit the month, the unit and the school year."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from generator.presets import DATE_FROM, PORTAL_UNIT
from generator.text import render_templates

SCHOOL_NAMES = ("Lê Văn Tám", "Nguyễn Bỉnh Khiêm", "Kim Đồng", "Võ Trường Toản", "Trần Quốc Toản", "Lê Lợi", "Hòa Bình",
                "Phan Chu Trinh", "Lương Định Của", "Nguyễn Văn Trỗi", "Chu Văn An", "Hoa Lư", "Đinh Tiên Hoàng",
                "Nguyễn Thái Bình", "Lê Quý Đôn", "Trần Hưng Đạo", "Phan Bội Châu", "Võ Văn Tần", "Nguyễn Văn Linh",
                "Bạch Đằng", "Lý Thường Kiệt", "Hai Bà Trưng", "Nguyễn Huệ", "Tô Vĩnh Diện", "An Phú", "Tân Sơn Nhì")
SCHOOL_LEVELS = ("Trường Mầm non", "Trường Tiểu học", "Trường THCS")
SUBJECTS = ("Toán", "Ngữ văn", "Tiếng Anh", "Vật lý", "Hóa học", "Sinh học", "Lịch sử", "Địa lý", "Tin học",
            "Giáo dục công dân")
SPORTS = ("bóng đá", "cờ vua", "bơi lội", "điền kinh", "bóng rổ", "cầu lông", "vovinam")
FEES = ("bán trú", "máy lạnh", "học thêm", "đồng phục", "sổ liên lạc điện tử", "quỹ phụ huynh", "tiếng Anh tăng cường")

# Title templates: (text, plan item of the plan's appendix, months in which the title makes sense; empty = any month).
ANY: tuple[int, ...] = ()
PORTAL_TEMPLATES = [
    ("Sở GDĐT TP.HCM ban hành kế hoạch thực hiện nhiệm vụ năm học {sy}", "", (8, 9, 10)),
    ("Hướng dẫn kiểm tra, đánh giá cuối học kỳ {hk} năm học {sy}", "", (11, 12, 4, 5)),
    ("TP.HCM có {n} học sinh đoạt giải kỳ thi chọn học sinh giỏi quốc gia năm {year}", "", (2, 3)),
    ("Hội nghị sơ kết học kỳ {hk} năm học {sy} khối trung học phổ thông", "", (1, 2)),
    ("Tăng cường phòng, chống đuối nước cho học sinh trong dịp hè {year}", "", (5, 6, 7)),
    ("Đẩy mạnh chuyển đổi số trong quản lý giáo dục năm {year}", "", ANY),
    ("Ngày hội STEM học sinh TP.HCM năm {year}", "", (3, 4, 10, 11)),
    ("Khai mạc Hội khỏe Phù Đổng TP.HCM năm học {sy}", "", (10, 11, 12, 1)),
    ("Tuyên dương học sinh, giáo viên tiêu biểu năm học {sy}", "", (5, 6, 7)),
    ("Hướng dẫn thu, sử dụng các khoản thu năm học {sy}", "", (8, 9, 10)),
    ("Tập huấn bảo đảm an toàn thông tin cho cán bộ quản lý trường học", "", ANY),
    ("Hội thảo nâng cao chất lượng dạy học tiếng Anh trong trường phổ thông", "", ANY),
    ("Kiểm tra công tác chuẩn bị kỳ thi tốt nghiệp THPT năm {year}", "", (5, 6)),
    ("TP.HCM giữ vững chuẩn phổ cập giáo dục, xóa mù chữ năm {year}", "", (11, 12, 1)),
    ("Triển khai Chương trình giáo dục phổ thông 2018 đối với lớp {grade}", "", (7, 8, 9)),
    ("Thông báo lịch nghỉ Tết Nguyên đán {tet} của học sinh, học viên", "", (11, 12, 1)),
    ("Kế hoạch tuyển sinh đầu cấp lớp 1, lớp 6 năm học {sy_next}", "", (3, 4, 5)),
    ("Bồi dưỡng giáo viên cốt cán môn {subject} năm học {sy}", "", (7, 8, 9, 10)),
    ("Kỷ niệm Ngày Nhà giáo Việt Nam 20/11, tuyên dương nhà giáo tiêu biểu", "", (11,)),
    ("Phòng, chống sốt xuất huyết và bệnh tay chân miệng trong trường học", "", (5, 6, 7, 8, 9, 10)),
    ("Giải thể thao học sinh phổ thông TP.HCM môn {sport} năm học {sy}", "", ANY),
    ("Danh sách cơ sở giáo dục mầm non độc lập được cấp phép tháng {month}/{year}", "", ANY),
]
DISTRICT_TEMPLATES = [
    ("{Area} tổ chức Hội thi giáo viên dạy giỏi cấp {level} năm học {sy}", "IV.3", (10, 11, 12, 1, 2, 3)),
    ("{Area} tổng kết năm học {sy}, triển khai nhiệm vụ năm học mới", "I.1", (6, 7, 8)),
    ("{Area} triển khai tuyển sinh đầu cấp năm học {sy_next}", "II.5", (3, 4, 5, 6, 7)),
    ("{Area} tổ chức Hội khỏe Phù Đổng cấp {level} năm học {sy}", "III.2", (10, 11, 12, 1)),
    ("{Area} có thêm {n} trường mầm non đạt chuẩn quốc gia", "II.1", ANY),
    ("{Area} đẩy mạnh chuyển đổi số trong các trường học", "V.2", ANY),
    ("{Area} khánh thành {school}", "V.1", (7, 8, 9, 1)),
    ("{Area} tập huấn kỹ năng phòng, chống đuối nước cho học sinh", "III.4", (4, 5, 6, 7)),
    ("{Area} tuyên dương giáo viên, học sinh tiêu biểu năm học {sy}", "I.4", (5, 6, 7)),
    ("{Area} tổ chức Ngày hội STEM năm {year}", "II.8", (3, 4, 10, 11)),
    ("{Area} họp mặt kỷ niệm Ngày Nhà giáo Việt Nam 20/11", "IV.4", (11,)),
    ("{Area} tổ chức chuyên đề đổi mới phương pháp dạy học theo Chương trình giáo dục phổ thông 2018", "IV.2", ANY),
    ("{Area} tổ chức Hội thi tiếng Anh cho học sinh tiểu học", "II.8", (2, 3, 4, 10, 11, 12)),
    ("{Area} duy trì chuẩn phổ cập giáo dục tiểu học mức độ 3", "II.7", (11, 12, 1, 4, 5, 6)),
    ("{Area} triển khai thanh toán không dùng tiền mặt trong trường học", "V.2", ANY),
    ("{Area} tổ chức liên hoan văn nghệ học sinh chào mừng Ngày Nhà giáo Việt Nam", "III.1", (10, 11)),
    ("{Area} ra quân bảo đảm an toàn giao thông trước cổng trường", "III.4", (8, 9, 10, 1, 2)),
    ("{Area} sơ kết học kỳ {hk} năm học {sy}", "I.1", (1, 2)),
    ("{Area}: {n} học sinh lớp 9 đạt giải học sinh giỏi cấp thành phố", "II.3", (3, 4)),
    ("{Area} huy động xã hội hóa xây dựng sân chơi cho trẻ mầm non", "V.3", ANY),
    ("{Area} sắp xếp, tinh gọn tổ chức bộ máy các cơ sở giáo dục", "I.3", (1, 2, 3, 4, 5, 6)),
]
SCHOOL_TEMPLATES = [
    ("{Unit} tổ chức lễ khai giảng năm học {sy}", "II.3", (9,)),
    ("{Unit} tổ chức lễ tri ân và trưởng thành cho học sinh lớp 12", "III.1", (5, 6)),
    ("Học sinh {unit} đạt {n} giải tại kỳ thi học sinh giỏi cấp thành phố", "II.3", (3, 4)),
    ("{Unit} tổ chức ngày hội tư vấn hướng nghiệp cho học sinh lớp 12", "II.3", (1, 2, 3, 10, 11, 12)),
    ("{Unit} ôn tập cho học sinh chuẩn bị kỳ thi tốt nghiệp THPT năm {year}", "II.6", (4, 5, 6)),
    ("{Unit} tổ chức hội trại truyền thống chào mừng ngày thành lập Đoàn 26/3", "III.1", (3,)),
    ("{Unit} hưởng ứng Ngày Sách và Văn hóa đọc Việt Nam", "III.5", (4,)),
    ("{Unit} triển khai mô hình lớp học thông minh", "V.2", ANY),
    ("{Unit} tổ chức hoạt động giáo dục kỹ năng sống cho học sinh", "III.5", ANY),
    ("{Unit} tổ chức hội thao chào mừng Ngày Nhà giáo Việt Nam 20/11", "III.2", (10, 11)),
    ("{Unit} đón đoàn đánh giá ngoài về kiểm định chất lượng giáo dục", "I.2", (10, 11, 12, 3, 4, 5)),
    ("{Unit} tổ chức thi thử tốt nghiệp THPT cho học sinh lớp 12", "II.6", (3, 4, 5)),
    ("{Unit} công bố chỉ tiêu tuyển sinh lớp 10 năm học {sy_next}", "II.5", (3, 4, 5)),
    ("Giáo viên {unit} đạt giải giáo viên dạy giỏi cấp thành phố", "IV.3", (12, 1, 2, 3, 4)),
    ("{Unit} tổ chức chuyên đề phòng, chống bạo lực học đường", "III.4", ANY),
    ("{Unit} tiếp nhận thiết bị dạy học từ nguồn xã hội hóa", "V.3", ANY),
]
CENTRE_TEMPLATES = [
    ("{Unit} khai giảng lớp bổ túc văn hóa năm học {sy}", "II.4", (8, 9, 10)),
    ("{Unit} tư vấn tuyển sinh hệ giáo dục thường xuyên cấp THPT năm học {sy_next}", "II.4", (4, 5, 6, 7)),
    ("{Unit} phối hợp doanh nghiệp đào tạo nghề cho học viên", "II.4", ANY),
    ("{Unit} tổ chức lễ tốt nghiệp cho học viên khóa {year}", "II.4", (5, 6, 7)),
    ("{Unit} mở lớp xóa mù chữ cho người lớn", "II.7", ANY),
    ("{Unit} tập huấn ứng dụng công nghệ thông tin trong giảng dạy", "V.2", ANY),
    ("{Unit} tổ chức chuyên đề giáo dục hướng nghiệp cho học sinh", "II.4", ANY),
]
DIVISION_TEMPLATES = [
    ("Hướng dẫn thực hiện nhiệm vụ {field} năm học {sy}", "I.1", (8, 9, 10)),
    ("Hội nghị tập huấn công tác {field} năm học {sy}", "IV.2", ANY),
    ("Kết quả kiểm tra công tác {field} học kỳ {hk} năm học {sy}", "I.2", ANY),
]
TEMPLATE_GROUPS = {"portal": PORTAL_TEMPLATES, "district": DISTRICT_TEMPLATES, "school": SCHOOL_TEMPLATES,
                   "centre": CENTRE_TEMPLATES, "division": DIVISION_TEMPLATES}
DIVISION_FIELDS = {"SGD_VP": "văn phòng", "SGD_TTR": "thanh tra", "SGD_GDTRH": "giáo dục trung học",
                   "SGD_GDTH": "giáo dục tiểu học", "SGD_GDMN": "giáo dục mầm non", "SGD_TCCB": "tổ chức cán bộ",
                   "SGD_KHTC": "kế hoạch - tài chính", "SGD_KTKD": "khảo thí và kiểm định chất lượng giáo dục"}

PORTAL_EVERGREEN = [
    ("/", "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh", 30.0),
    ("/tin-tuc", "Tin tức - Sự kiện", 6.0),
    ("/thong-bao", "Thông báo", 5.0),
    ("/van-ban-chi-dao", "Văn bản chỉ đạo", 3.5),
    ("/thu-tuc-hanh-chinh", "Thủ tục hành chính", 3.0),
    ("/tuyen-sinh", "Tuyển sinh", 4.0),
    ("/phan-anh-kien-nghi", "Phản ánh, kiến nghị", 2.0),
    ("/tra-cuu-truong-hoc", "Tra cứu trường học", 2.5),
    ("/lich-cong-tac", "Lịch công tác", 1.2),
    ("/cong-khai", "Công khai", 0.8),
    ("/gioi-thieu", "Giới thiệu", 0.6),
    ("/lien-he", "Liên hệ", 0.5),
]
DISTRICT_EVERGREEN = [("/", "Trang chủ - {unit}", 20.0), ("/tin-tuc", "Tin tức", 4.0), ("/thong-bao", "Thông báo", 3.0),
                      ("/van-ban", "Văn bản", 2.0), ("/tuyen-sinh", "Tuyển sinh đầu cấp", 3.0),
                      ("/danh-ba-truong-hoc", "Danh bạ trường học", 1.5), ("/thu-tuc-hanh-chinh", "Thủ tục hành chính", 1.0),
                      ("/gioi-thieu", "Giới thiệu", 0.5), ("/lien-he", "Liên hệ", 0.5)]
SCHOOL_EVERGREEN = [("/", "Trang chủ - {unit}", 20.0), ("/tin-tuc", "Tin tức", 3.0), ("/thong-bao", "Thông báo", 4.0),
                    ("/thoi-khoa-bieu", "Thời khóa biểu", 4.0), ("/tuyen-sinh", "Tuyển sinh lớp 10", 2.5),
                    ("/ba-cong-khai", "Ba công khai", 1.0), ("/gioi-thieu", "Giới thiệu", 0.8), ("/lien-he", "Liên hệ", 0.5)]
CENTRE_EVERGREEN = [("/", "Trang chủ - {unit}", 20.0), ("/tin-tuc", "Tin tức", 3.0), ("/tuyen-sinh", "Tuyển sinh", 4.0),
                    ("/lich-hoc", "Lịch học", 2.0), ("/lien-he", "Liên hệ", 0.5)]
NEWS_PER_DAY = {"portal": 3.0, "district": 0.25, "school": 0.2, "centre": 0.08}
NEWS_FROM_DAY = -120  # articles published before the data starts still get visits


def unit_kind(unit_code: str, unit_type: str) -> str:
    if unit_code == PORTAL_UNIT:
        return "portal"
    if unit_type == "district_office":
        return "district"
    if unit_type == "gdnn_gdtx_centre" or unit_code.startswith("TT_"):
        return "centre"
    if unit_type == "affiliated_unit":
        return "school"
    return "division"


def date_slots(days: np.ndarray) -> pl.DataFrame:
    """School year, term, year, month and Tết of each day (days since DATE_FROM), for the text templates."""
    dates = pl.Series("date", np.datetime64(DATE_FROM, "D") + days.astype("timedelta64[D]")).cast(pl.Date)
    year, month = pl.col("date").dt.year(), pl.col("date").dt.month()
    start = pl.when(month >= 8).then(year).otherwise(year - 1)
    # From February on, "next year" enrolment is the coming school year.
    next_start = pl.when((month >= 2) & (month < 8)).then(start + 1).otherwise(start)
    return pl.DataFrame([dates]).select(
        sy=pl.format("{}-{}", start, start + 1),
        sy_next=pl.format("{}-{}", next_start, next_start + 1),
        hk=pl.when((month >= 8) | (month <= 1)).then(pl.lit("I")).otherwise(pl.lit("II")),
        year=year.cast(pl.Utf8),
        month=month.cast(pl.Utf8).str.zfill(2),
        tet=pl.when(pl.col("date") < dt.date(2024, 2, 15)).then(pl.lit("Giáp Thìn 2024"))
        .when(pl.col("date") < dt.date(2025, 2, 3)).then(pl.lit("Ất Tỵ 2025")).otherwise(pl.lit("Bính Ngọ 2026")),
    )


def _random_schools(rng: np.random.Generator, n: int) -> np.ndarray:
    return (np.asarray(SCHOOL_LEVELS, dtype=object)[rng.integers(0, len(SCHOOL_LEVELS), n)] + " "
            + np.asarray(SCHOOL_NAMES, dtype=object)[rng.integers(0, len(SCHOOL_NAMES), n)])


def _title_slots(rng: np.random.Generator, days: np.ndarray, units: pl.DataFrame) -> pl.DataFrame:
    """Values for the title templates, one row per title: dates give school year and term, units give names."""
    n = len(days)
    area = pl.col("area").fill_null("")
    unit_slots = units.select(
        Area=area.str.slice(0, 1).str.to_uppercase() + area.str.slice(1),
        level=pl.when(area.str.starts_with("thành phố")).then(pl.lit("thành phố"))
        .otherwise(area.str.split(" ").list.first().str.to_lowercase()),
        Unit=pl.col("unit_name"),
        unit=pl.col("unit_name"),
        field=pl.col("unit_code").replace_strict(DIVISION_FIELDS, default="giáo dục"),
    )
    random_slots = pl.DataFrame({
        "n": rng.integers(2, 40, n).astype(str),
        "grade": rng.integers(1, 13, n).astype(str),
        "school": _random_schools(rng, n).astype(str),
        "subject": np.asarray(SUBJECTS)[rng.integers(0, len(SUBJECTS), n)],
        "sport": np.asarray(SPORTS)[rng.integers(0, len(SPORTS), n)],
    })
    return date_slots(days).hstack(unit_slots).hstack(random_slots)


def unit_titles(rng: np.random.Generator, kinds: list[str], days: np.ndarray, units: pl.DataFrame
                 ) -> tuple[pl.Series, list[str]]:
    """Titles (and plan items) of news written by units, fitting the month; `kinds` from `_kind`."""
    templates, plan_items, which = [], [], np.zeros(len(kinds), dtype=np.int64)
    kinds_arr = np.asarray(kinds)
    months = (np.datetime64(DATE_FROM, "D") + days.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64) % 12 + 1
    for kind, items in TEMPLATE_GROUPS.items():
        first = len(templates)
        templates += [t for t, _, _ in items]
        plan_items += [p for _, p, _ in items]
        for month in range(1, 13):
            rows = np.flatnonzero((kinds_arr == kind) & (months == month))
            if len(rows):
                fitting = first + np.array([i for i, (_, _, m) in enumerate(items) if not m or month in m])
                which[rows] = fitting[rng.integers(0, len(fitting), len(rows))]
    titles = render_templates(templates, which, _title_slots(rng, days, units))
    return titles, list(np.asarray(plan_items, dtype=object)[which])
