"""Deterministic sample data for every raw source (docs/data-contracts.md): GA4 export, access logs, page reports, submissions, feedback."""
from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import string
import unicodedata
from dataclasses import dataclass
from collections.abc import Iterator
from pathlib import Path

import holidays
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from ingestion import settings

GENERATOR_VERSION = "1.0.0"
DATE_FROM = dt.date(2024, 1, 1)
DATE_TO = dt.date(2025, 6, 30)
N_DAYS = (DATE_TO - DATE_FROM).days + 1
# Every export (submissions list, feedback system) is taken at the end of the data: later events are not known yet.
AS_OF = dt.datetime(2025, 6, 30, 23, 59, 59)
UTC_OFFSET_S = 7 * 3600  # Asia/Ho_Chi_Minh, no DST

PORTAL_UNIT = "SGD_VP"
# Sites outside the department's GA4 property: two district offices run their own nginx, three schools send a report.
ACCESS_LOG_UNITS = ("PGD_CGIO", "PGD_NBE")
PAGE_REPORT_UNITS = ("THPT_MC", "THPT_NTH", "THPT_GD")

TET_WINDOWS = ((dt.date(2024, 2, 8), dt.date(2024, 2, 14)), (dt.date(2025, 1, 25), dt.date(2025, 2, 2)))
# Around the Reunification Day / Labour Day break people answer more slowly (the make-up Saturdays are in `holidays`).
SPRING_BREAKS = ((dt.date(2024, 4, 22), dt.date(2024, 5, 5)), (dt.date(2025, 4, 21), dt.date(2025, 5, 4)))


@dataclass(frozen=True)
class Preset:
    name: str
    ga4_sessions_per_day: float  # mean over 2024 (the seasonal multiplier averages 1 there)
    access_log_page_views_per_day: float  # per access-log host, before the seasonal multiplier
    page_report_page_views_per_day: float  # per page-report host
    feedback_tickets_per_year: float
    submission_rate_scale: float  # multiplies the submission rate of units that keep their quota (laggards stay behind)
    show_progress: bool


PRESETS: dict[str, Preset] = {
    # Full date range at very low volume: the whole pipeline test runs in seconds.
    "tiny": Preset("tiny", 10, 8, 4, 250, 1.0, False),
    # `make run`: about 1.3 million GA4 events.
    "sample": Preset("sample", 520, 100, 120, 2_000, 1.0, True),
    # One year of a city-scale portal: about 20 million GA4 events, 10 thousand submissions, 60 thousand tickets.
    "city-year": Preset("city-year", 11_700, 1_000, 1_200, 60_000, 12.4, True),
    "x10": Preset("x10", 117_000, 10_000, 12_000, 600_000, 124.0, True),
}

_STREAMS = {"catalog": 1, "traffic": 2, "ga4": 3, "access_log": 4, "page_report": 5, "submissions": 6, "feedback": 7,
            "people": 8, "late": 9}


def _rng(seed: int, stream: str, *more: int) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[stream], *more])


def _mix64(values: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64: a stable per-id hash, so user and visitor attributes need no stored pools."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(salt % (1 << 63)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _bucket(hashes: np.ndarray, weights: list[float]) -> np.ndarray:
    """Map hashes to categories with the given weights."""
    cumulative = np.cumsum(np.asarray(weights, dtype=float))
    u = (hashes >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return np.searchsorted(cumulative / cumulative[-1], u, side="right").clip(0, len(weights) - 1)


def _fold_ascii(series: pl.Series | pl.Expr):
    return series.str.normalize("NFD").str.replace_all(r"\p{M}", "").str.replace_all("đ", "d").str.replace_all("Đ", "D")


def _slug(series: pl.Series) -> pl.Series:
    return (
        _fold_ascii(series).str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "-").str.strip_chars("-").str.slice(0, 90)
        .str.strip_chars("-")
    )


def _render(templates: list[str], which: np.ndarray, slots: pl.DataFrame) -> pl.Series:
    """Fill `{slot}` templates row by row, vectorised: one polars format per template."""
    frame = slots.with_columns(pl.Series("_t", which.astype(np.int64))).with_row_index("_row")
    parts = []
    for number, text in enumerate(templates):
        rows = frame.filter(pl.col("_t") == number)
        if rows.height == 0:
            continue
        fmt, fields = "", []
        for literal, field_name, _, _ in string.Formatter().parse(text):
            fmt += literal
            if field_name is not None:
                fmt += "{}"
                fields.append(pl.col(field_name).cast(pl.Utf8))
        expr = pl.format(fmt, *fields) if fields else pl.lit(text)
        parts.append(rows.select("_row", expr.alias("text")))
    return pl.concat(parts).sort("_row")["text"]


# --------------------------------------------------------------------------------------------------------------------
# Calendar and traffic rhythm


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days of Vietnam (holidays.VN, with the make-up Saturdays), indexed by days since `first`."""

    first: dt.date
    working: np.ndarray
    holiday: np.ndarray
    cum_working: np.ndarray

    @classmethod
    def build(cls, first: dt.date = dt.date(2023, 9, 1), last: dt.date = dt.date(2026, 12, 31)) -> "WorkingCalendar":
        vn = holidays.VN(years=range(first.year, last.year + 1))
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        working = np.array([vn.is_working_day(day) for day in days], dtype=bool)
        holiday = np.array([day in vn for day in days], dtype=bool)
        return cls(first, working, holiday, np.cumsum(working))

    def index(self, day: dt.date) -> int:
        return (day - self.first).days

    def after_working_days(self, day_index: np.ndarray, working_days: np.ndarray) -> np.ndarray:
        """The day on which `working_days` working days have passed after `day_index` (0: the same day)."""
        target = self.cum_working[day_index] + working_days
        later = np.searchsorted(self.cum_working, target, side="left")
        return np.where(working_days <= 0, day_index, later)


# (first day, extra portal traffic at the peak (1.0 = +100 %), decay in days, path of the page people come for, its title)
SPIKES = (
    (dt.date(2024, 3, 14), 0.5, 4.0, "/tuyen-sinh-lop-10/2024/ke-hoach", "Kế hoạch tuyển sinh lớp 10 năm học 2024-2025"),
    (dt.date(2024, 4, 8), 0.35, 10.0, "/tuyen-sinh-lop-10/2024/dang-ky-nguyen-vong",
     "Hướng dẫn đăng ký nguyện vọng tuyển sinh lớp 10 năm học 2024-2025"),
    (dt.date(2024, 6, 6), 1.0, 2.0, "/tuyen-sinh-lop-10/2024/lich-thi", "Lịch thi tuyển sinh lớp 10 năm học 2024-2025"),
    (dt.date(2024, 6, 21), 5.0, 3.0, "/tuyen-sinh-lop-10/2024/tra-cuu-diem-thi",
     "Tra cứu điểm thi tuyển sinh lớp 10 năm học 2024-2025"),
    (dt.date(2024, 6, 27), 0.8, 2.0, "/thi-tot-nghiep-thpt/2024/thong-tin", "Kỳ thi tốt nghiệp THPT năm 2024: thông tin cần biết"),
    (dt.date(2024, 7, 4), 3.0, 3.0, "/tuyen-sinh-lop-10/2024/diem-chuan", "Điểm chuẩn tuyển sinh lớp 10 năm học 2024-2025"),
    (dt.date(2024, 7, 17), 3.5, 3.0, "/thi-tot-nghiep-thpt/2024/tra-cuu-diem", "Tra cứu điểm thi tốt nghiệp THPT năm 2024"),
    (dt.date(2024, 9, 5), 0.8, 3.0, "/nam-hoc-moi/2024/khai-giang", "Lễ khai giảng năm học 2024-2025"),
    (dt.date(2025, 3, 12), 0.5, 4.0, "/tuyen-sinh-lop-10/2025/ke-hoach", "Kế hoạch tuyển sinh lớp 10 năm học 2025-2026"),
    (dt.date(2025, 4, 10), 0.35, 10.0, "/tuyen-sinh-lop-10/2025/dang-ky-nguyen-vong",
     "Hướng dẫn đăng ký nguyện vọng tuyển sinh lớp 10 năm học 2025-2026"),
    (dt.date(2025, 6, 6), 1.0, 2.0, "/tuyen-sinh-lop-10/2025/lich-thi", "Lịch thi tuyển sinh lớp 10 năm học 2025-2026"),
    (dt.date(2025, 6, 18), 5.0, 3.0, "/tuyen-sinh-lop-10/2025/tra-cuu-diem-thi",
     "Tra cứu điểm thi tuyển sinh lớp 10 năm học 2025-2026"),
    (dt.date(2025, 6, 26), 0.8, 2.0, "/thi-tot-nghiep-thpt/2025/thong-tin", "Kỳ thi tốt nghiệp THPT năm 2025: thông tin cần biết"),
)
MONTH_FACTOR = {1: 1.0, 2: 0.92, 3: 1.0, 4: 1.05, 5: 1.1, 6: 1.4, 7: 1.3, 8: 1.0, 9: 1.15, 10: 1.0, 11: 1.0, 12: 0.9}
PORTAL_WEEKDAY = (1.08, 1.07, 1.05, 1.03, 0.97, 0.66, 0.58)
SUBSITE_WEEKDAY = (1.12, 1.1, 1.08, 1.05, 0.98, 0.55, 0.48)
# Local hour of day: morning and afternoon office peaks, an evening peak of parents on their phones.
HOUR_WEIGHTS = np.array([0.6, 0.35, 0.2, 0.15, 0.15, 0.3, 0.8, 1.6, 2.4, 2.8, 2.8, 2.4,
                         1.8, 2.0, 2.6, 2.6, 2.4, 2.0, 1.8, 2.2, 2.6, 2.6, 1.9, 1.1])
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()


@dataclass(frozen=True)
class Traffic:
    portal: np.ndarray  # multiplier per day (mean over 2024 = 1)
    subsite: np.ndarray
    spike_of_day: np.ndarray  # index into SPIKES of the dominant spike, -1 if none
    spike_share: np.ndarray  # share of portal page views that go to that spike's page


def _traffic(seed: int, calendar: WorkingCalendar) -> Traffic:
    dates = [DATE_FROM + dt.timedelta(days=i) for i in range(N_DAYS)]
    month = np.array([MONTH_FACTOR[d.month] for d in dates])
    weekday = np.array([d.weekday() for d in dates])
    holiday = calendar.holiday[calendar.index(DATE_FROM): calendar.index(DATE_FROM) + N_DAYS]
    tet = np.ones(N_DAYS)
    for start, end in TET_WINDOWS:
        i0, i1 = (start - DATE_FROM).days, (end - DATE_FROM).days
        tet[max(i0 - 7, 0): i0] = 0.85
        tet[i0: i1 + 1] = 0.3
    rest = np.where(holiday & (tet == 1.0), 0.55, 1.0)

    day = np.arange(N_DAYS)
    extra = np.zeros((len(SPIKES), N_DAYS))
    for number, (first, peak, decay, _, _) in enumerate(SPIKES):
        age = day - (first - DATE_FROM).days
        extra[number] = np.where(age >= 0, peak * np.exp(-np.maximum(age, 0) / decay), 0.0)
        extra[number][age == -1] = 0.25 * peak  # people look for the page the day before too
    extra_total = extra.sum(axis=0)

    noise = _rng(seed, "traffic").lognormal(0.0, 0.06, size=(2, N_DAYS))
    portal = month * np.array(PORTAL_WEEKDAY)[weekday] * tet * rest * (1.0 + extra_total) * noise[0]
    subsite = month ** 0.7 * np.array(SUBSITE_WEEKDAY)[weekday] * tet * rest * (1.0 + 0.25 * extra_total) * noise[1]
    in_2024 = np.array([d.year == 2024 for d in dates])
    spike_of_day = np.where(extra_total > 0.05, extra.argmax(axis=0), -1)
    return Traffic(
        portal=portal / portal[in_2024].mean(),
        subsite=subsite / subsite[in_2024].mean(),
        spike_of_day=spike_of_day,
        spike_share=0.85 * extra_total / (1.0 + extra_total),
    )


# --------------------------------------------------------------------------------------------------------------------
# Unit registry, sites and page catalogue


def load_registry(path: Path | None = None) -> pl.DataFrame:
    registry = pl.read_csv(path or settings.UNIT_REGISTRY_CSV, infer_schema=False)
    registry = registry.with_columns(
        pl.col("valid_from").str.to_date(), pl.col("valid_to").str.to_date(), pl.col("site_host").fill_null("")
    )
    prefix = "Phòng Giáo dục và Đào tạo "
    return registry.with_columns(
        # "Quận 7", "quận Bình Thạnh", "huyện Củ Chi", "thành phố Thủ Đức": the area a district office serves.
        area=pl.when(pl.col("unit_type") == "district_office").then(pl.col("unit_name").str.strip_prefix(prefix))
        .otherwise(None)
    )


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


def _kind(unit_code: str, unit_type: str) -> str:
    if unit_code == PORTAL_UNIT:
        return "portal"
    if unit_type == "district_office":
        return "district"
    if unit_type == "gdnn_gdtx_centre" or unit_code.startswith("TT_"):
        return "centre"
    if unit_type == "affiliated_unit":
        return "school"
    return "division"


def _date_slots(days: np.ndarray) -> pl.DataFrame:
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
    return _date_slots(days).hstack(unit_slots).hstack(random_slots)


def _unit_titles(rng: np.random.Generator, kinds: list[str], days: np.ndarray, units: pl.DataFrame
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
    titles = _render(templates, which, _title_slots(rng, days, units))
    return titles, list(np.asarray(plan_items, dtype=object)[which])


@dataclass(frozen=True)
class Site:
    host: str
    unit_code: str
    unit_name: str
    kind: str
    source_form: str  # ga4 | access_log | page_report


@dataclass
class Catalog:
    """Every page of every site: sites are contiguous blocks, so one cumulative array samples pages for all sites."""

    sites: list[Site]
    site_of_page: np.ndarray
    site_start: np.ndarray
    site_end: np.ndarray
    path_np: np.ndarray  # object arrays of str
    title_np: np.ndarray
    url: pa.Array
    title_arr: pa.Array
    publish_day: np.ndarray  # days since DATE_FROM; evergreen pages: far in the past
    base_weight: np.ndarray
    is_news: np.ndarray
    spike_page: np.ndarray  # page index per SPIKES entry

    def day_weights(self, day: int) -> np.ndarray:
        """Per-site normalised page weights of one day (each site sums to 1): news fade, evergreen pages stay."""
        age = day - self.publish_day
        decay = np.where(age >= 0, np.exp(-np.maximum(age, 0) / 4.0) + 0.04 * np.exp(-np.maximum(age, 0) / 150.0), 0.0)
        news = np.where(self.is_news, self.base_weight * decay, 0.0)
        evergreen = np.where(self.is_news, 0.0, self.base_weight)
        n_sites = len(self.sites)
        news_sum = np.bincount(self.site_of_page, news, minlength=n_sites)
        ever_sum = np.bincount(self.site_of_page, evergreen, minlength=n_sites)
        evergreen_share = np.where(news_sum > 0, np.where(np.arange(n_sites) == 0, 0.45, 0.55), 1.0)
        weights = (evergreen * (evergreen_share / ever_sum)[self.site_of_page]
                   + news * ((1 - evergreen_share) / np.where(news_sum > 0, news_sum, 1.0))[self.site_of_page])
        return weights

    def sampler(self, weights: np.ndarray) -> np.ndarray:
        """Cumulative weights where site s spans exactly [s, s + 1)."""
        cumulative = np.cumsum(weights)
        before = np.concatenate([[0.0], cumulative])[self.site_start]
        total = cumulative[self.site_end - 1] - before
        cum = self.site_of_page + (cumulative - before[self.site_of_page]) / total[self.site_of_page]
        cum[self.site_end - 1] = np.arange(len(self.sites)) + 1.0
        return cum

    def pick(self, cum: np.ndarray, site: np.ndarray, u: np.ndarray) -> np.ndarray:
        page = np.searchsorted(cum, site + u, side="right")
        return np.clip(page, self.site_start[site], self.site_end[site] - 1)


def _build_catalog(seed: int, registry: pl.DataFrame) -> Catalog:
    rng = _rng(seed, "catalog")
    hosted = registry.filter(pl.col("site_host") != "")
    # The portal first: site 0.
    hosted = pl.concat([hosted.filter(pl.col("unit_code") == PORTAL_UNIT), hosted.filter(pl.col("unit_code") != PORTAL_UNIT)])
    sites = []
    for row in hosted.iter_rows(named=True):
        form = ("access_log" if row["unit_code"] in ACCESS_LOG_UNITS
                else "page_report" if row["unit_code"] in PAGE_REPORT_UNITS else "ga4")
        sites.append(Site(row["site_host"], row["unit_code"], row["unit_name"], _kind(row["unit_code"], row["unit_type"]), form))
    missing = set(ACCESS_LOG_UNITS + PAGE_REPORT_UNITS) - {s.unit_code for s in sites}
    if missing:
        raise ValueError(f"{settings.UNIT_REGISTRY_CSV}: units {sorted(missing)} need a site_host for the sample logs/reports")

    site_of_page, paths, titles, publish, weight, news_flag = [], [], [], [], [], []
    news_site, news_kind, news_day = [], [], []
    spike_page = np.zeros(len(SPIKES), dtype=np.int64)
    for number, site in enumerate(sites):
        evergreen = {"portal": PORTAL_EVERGREEN, "district": DISTRICT_EVERGREEN, "school": SCHOOL_EVERGREEN,
                     "centre": CENTRE_EVERGREEN}[site.kind]
        for path, title, w in evergreen:
            site_of_page.append(number), paths.append(path), titles.append(title.format(unit=site.unit_name))
            publish.append(-10**6), weight.append(w), news_flag.append(False)
        if site.kind == "portal":
            for spike_number, (first, _, _, path, title) in enumerate(SPIKES):
                spike_page[spike_number] = len(paths)
                site_of_page.append(number), paths.append(path), titles.append(title)
                publish.append((first - DATE_FROM).days - 3), weight.append(6.0), news_flag.append(True)
        count = rng.poisson(NEWS_PER_DAY[site.kind] * (N_DAYS - NEWS_FROM_DAY))
        days = np.sort(rng.integers(NEWS_FROM_DAY, N_DAYS, count))
        news_site += [number] * count
        news_kind += [site.kind] * count
        news_day.append(days)
    news_day_arr = np.concatenate(news_day)
    units = registry.join(pl.DataFrame({"site_host": [sites[i].host for i in news_site]}).with_row_index("_n"),
                          on="site_host").sort("_n")
    news_titles, _ = _unit_titles(rng, news_kind, news_day_arr, units)
    news_titles = news_titles.to_list()
    article_ids = 10_000 + rng.permutation(len(news_titles) * 3)[: len(news_titles)]
    slugs = _slug(pl.Series(news_titles)).to_list()
    # Insert the news of each site right after its evergreen pages: sites stay contiguous.
    order = np.argsort(np.concatenate([np.array(site_of_page, dtype=np.int64), np.array(news_site, dtype=np.int64)]),
                       kind="stable")
    all_site = np.concatenate([np.array(site_of_page, dtype=np.int64), np.array(news_site, dtype=np.int64)])[order]
    all_path = np.array(paths + [f"/tin-tuc/{s}-{i}" for s, i in zip(slugs, article_ids)], dtype=object)[order]
    all_title = np.array(titles + news_titles, dtype=object)[order]
    all_publish = np.concatenate([np.array(publish, dtype=np.int64), news_day_arr])[order]
    all_weight = np.concatenate([np.array(weight), rng.lognormal(0.0, 1.0, len(news_titles))])[order]
    all_news = np.concatenate([np.array(news_flag, dtype=bool), np.ones(len(news_titles), dtype=bool)])[order]
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    spike_page = inverse[spike_page]
    site_start = np.searchsorted(all_site, np.arange(len(sites)), side="left")
    site_end = np.searchsorted(all_site, np.arange(len(sites)), side="right")
    hosts = np.array([s.host for s in sites], dtype=object)
    urls = ["https://" + h + p for h, p in zip(hosts[all_site], all_path)]
    return Catalog(
        sites=sites, site_of_page=all_site, site_start=site_start, site_end=site_end, path_np=all_path,
        title_np=all_title, url=pa.array(urls, pa.string()), title_arr=pa.array(list(all_title), pa.string()),
        publish_day=all_publish, base_weight=all_weight, is_news=all_news, spike_page=spike_page,
    )


# --------------------------------------------------------------------------------------------------------------------
# GA4 BigQuery export

GA4_VALUE = pa.struct([("string_value", pa.string()), ("int_value", pa.int64()), ("float_value", pa.float64()),
                       ("double_value", pa.float64())])
GA4_PARAM = pa.struct([("key", pa.string()), ("value", GA4_VALUE)])
GA4_SCHEMA = pa.schema([
    ("event_date", pa.string()),
    ("event_timestamp", pa.int64()),
    ("event_name", pa.string()),
    ("event_params", pa.list_(GA4_PARAM)),
    ("user_pseudo_id", pa.string()),
    ("device", pa.struct([("category", pa.string())])),
    ("geo", pa.struct([("city", pa.string())])),
    ("traffic_source", pa.struct([("name", pa.string()), ("medium", pa.string()), ("source", pa.string())])),
])
EVENT_NAMES = ("session_start", "page_view", "user_engagement", "scroll", "click")
PARAM_KEYS = ("page_location", "page_title", "ga_session_id", "engagement_time_msec")
DEVICES = (("mobile", 0.66), ("desktop", 0.31), ("tablet", 0.03))
CITIES = (("Ho Chi Minh City", 0.78), ("Bien Hoa", 0.035), ("Thu Dau Mot", 0.03), ("Di An", 0.02), ("Hanoi", 0.04),
          ("Can Tho", 0.015), ("Vung Tau", 0.015), ("Da Nang", 0.01), ("Long Xuyen", 0.005), ("(not set)", 0.05))
# (name, medium, source, share): first-user acquisition, as the export's traffic_source column holds
SOURCES = (("(organic)", "organic", "google", 0.52), ("(direct)", "(none)", "(direct)", 0.25),
           ("(referral)", "referral", "facebook.com", 0.13), ("(referral)", "referral", "zalo", 0.10))
# Fixed writer settings: the same data gives the same bytes.
PARQUET_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                       data_page_version="1.0", version="2.6")


def _user_ids(global_user: np.ndarray, seed: int) -> pa.Array:
    """GA4 style `1234567890.1700000000`: a random number and the first-visit time."""
    first = 1_640_995_200 + (_mix64(global_user, seed * 97 + 2) % np.uint64(63_072_000)).astype(np.int64)
    number = 100_000_000 + (_mix64(global_user, seed * 97 + 1) % np.uint64(1_900_000_000)).astype(np.int64)
    return pc.binary_join_element_wise(pc.cast(pa.array(number), pa.string()), pc.cast(pa.array(first), pa.string()), ".")


def _take(values: tuple, codes: np.ndarray) -> pa.Array:
    return pa.array(list(values), pa.string()).take(pa.array(codes.astype(np.int32)))


@dataclass
class Ga4Context:
    catalog: Catalog
    site_index: np.ndarray  # GA4 sites (indices into catalog.sites)
    share: np.ndarray
    user_offset: np.ndarray
    user_pool: np.ndarray


def _ga4_context(catalog: Catalog, preset: Preset, seed: int) -> Ga4Context:
    rng = _rng(seed, "ga4")
    index = np.array([i for i, s in enumerate(catalog.sites) if s.source_form == "ga4"], dtype=np.int64)
    kinds = [catalog.sites[i].kind for i in index]
    size = np.array([{"portal": 0.0, "district": 1.0, "school": 0.8, "centre": 0.3}[k] for k in kinds])
    size = size * rng.lognormal(0.0, 0.45, len(index))
    share = np.where(np.array(kinds) == "portal", 0.62, 0.38 * size / size.sum())
    pool = np.ceil(40 * preset.ga4_sessions_per_day * share).astype(np.int64) + 20
    return Ga4Context(catalog, index, share, np.concatenate([[0], np.cumsum(pool)[:-1]]), pool)


GA4_BATCH_SESSIONS = 100_000  # sessions per row group: bounds memory on the busiest days of the large presets


def _ga4_day(ctx: Ga4Context, preset: Preset, traffic: Traffic, day: int, weights_cum: np.ndarray, seed: int
             ) -> Iterator[pa.Table]:
    """One day of the GA4 export, as tables of at most GA4_BATCH_SESSIONS sessions each (one row group per table)."""
    rng = _rng(seed, "ga4", day)
    mult = np.where(ctx.site_index == 0, traffic.portal[day], traffic.subsite[day])
    n_sessions = rng.poisson(preset.ga4_sessions_per_day * ctx.share * mult)
    session_site_local = np.repeat(np.arange(len(ctx.site_index)), n_sessions)
    n = len(session_site_local)
    # Returning visitors: a skewed draw from each site's pool of users.
    user = (ctx.user_offset[session_site_local]
            + np.floor(ctx.user_pool[session_site_local] * rng.random(n) ** 2).astype(np.int64))
    start_s = rng.choice(24, n, p=HOUR_WEIGHTS) * 3600 + rng.integers(0, 3600, n)
    for batch, first in enumerate(range(0, max(n, 1), GA4_BATCH_SESSIONS)):
        part = slice(first, first + GA4_BATCH_SESSIONS)
        yield _ga4_events(ctx, traffic, day, weights_cum, seed, _rng(seed, "ga4", day, batch),
                          ctx.site_index[session_site_local[part]], user[part], start_s[part])


def _ga4_events(ctx: Ga4Context, traffic: Traffic, day: int, weights_cum: np.ndarray, seed: int, rng: np.random.Generator,
                session_site: np.ndarray, user: np.ndarray, start_s: np.ndarray) -> pa.Table:
    """The events of the given sessions: page views, session_start, engagement, scrolls, clicks."""
    catalog = ctx.catalog
    n = len(session_site)
    n_pv = np.minimum(rng.geometric(0.4, n), 25)
    pv_session = np.repeat(np.arange(n), n_pv)
    first_pv = np.cumsum(n_pv) - n_pv
    order_in_session = np.arange(len(pv_session)) - first_pv[pv_session]
    gaps = np.where(order_in_session == 0, 0.0, rng.exponential(50.0, len(pv_session)) + 2.0)
    running = np.cumsum(gaps)
    offset_s = running - running[first_pv][pv_session]
    duration = offset_s[first_pv + n_pv - 1] + 90.0
    start_s = np.clip(np.minimum(start_s, 86_399 - np.ceil(duration)), 0, None).astype(np.int64)
    pv_us = ((start_s[pv_session] + offset_s) * 1e6).astype(np.int64) + rng.integers(0, 999_999, len(pv_session))

    pv_site = session_site[pv_session]
    page = catalog.pick(weights_cum, pv_site, rng.random(len(pv_session)))
    spike = traffic.spike_of_day[day]
    if spike >= 0:
        to_spike = (pv_site == 0) & (rng.random(len(pv_session)) < traffic.spike_share[day])
        page[to_spike] = catalog.spike_page[spike]

    user_source = _bucket(_mix64(user, seed * 97 + 5), [s[3] for s in SOURCES])
    # Social landing pages carry the click id in the URL, as in real exports.
    social = (order_in_session == 0) & (user_source[pv_session] >= 2) & (rng.random(len(pv_session)) < 0.6)

    pv_index = np.arange(len(pv_session))
    engaged = rng.random(len(pv_session)) < 0.32
    scrolled = rng.random(len(pv_session)) < 0.15
    clicked = rng.random(len(pv_session)) < 0.05
    event_pv = np.concatenate([first_pv, pv_index, pv_index[engaged], pv_index[scrolled], pv_index[clicked]])
    event_name = np.concatenate([np.zeros(n, np.int8), np.ones(len(pv_index), np.int8), np.full(engaged.sum(), 2, np.int8),
                                 np.full(scrolled.sum(), 3, np.int8), np.full(clicked.sum(), 4, np.int8)])
    event_us = np.concatenate([pv_us[first_pv], pv_us, pv_us[engaged] + rng.integers(1_000_000, 30_000_000, engaged.sum()),
                               pv_us[scrolled] + rng.integers(3_000_000, 40_000_000, scrolled.sum()),
                               pv_us[clicked] + rng.integers(2_000_000, 60_000_000, clicked.sum())])
    engagement_ms = np.concatenate([
        np.full(n + len(pv_index), -1, np.int64),
        np.minimum(rng.lognormal(np.log(22_000), 0.9, engaged.sum()), 1_800_000).astype(np.int64),
        np.minimum(rng.lognormal(np.log(15_000), 0.7, scrolled.sum()), 1_800_000).astype(np.int64),
        np.full(clicked.sum(), -1, np.int64),
    ])
    event_us = np.minimum(event_us, 86_400_000_000 - 1)
    order = np.argsort(event_us, kind="stable")
    event_pv, event_name, event_us, engagement_ms = event_pv[order], event_name[order], event_us[order], engagement_ms[order]
    event_session = pv_session[event_pv]
    event_user = user[event_session]

    midnight_utc_s = (day + (DATE_FROM - dt.date(1970, 1, 1)).days) * 86_400 - UTC_OFFSET_S
    timestamp_us = midnight_utc_s * 1_000_000 + event_us
    session_id = midnight_utc_s + start_s[event_session]

    n_events = len(event_pv)
    location = catalog.url.take(pa.array(page[event_pv]))
    with_click_id = social[event_pv]
    if with_click_id.any():
        facebook_ids = pc.binary_join_element_wise(
            "?fbclid=IwAR", pc.cast(pa.array((_mix64(event_session, seed + day) % np.uint64(10**12)).astype(np.int64)),
                                    pa.string()), "")
        zalo = pa.array(user_source[event_session] == 3)
        click_ids = pc.if_else(zalo, "?zarsrc=30&utm_source=zalo&utm_medium=zalo", facebook_ids)
        suffixed = pc.binary_join_element_wise(location, click_ids, "")
        location = pc.if_else(pa.array(with_click_id), suffixed, location)
    title = catalog.title_arr.take(pa.array(page[event_pv]))

    # event_params: page_location, page_title, ga_session_id and, for engagement events, engagement_time_msec.
    has_engagement = engagement_ms >= 0
    n_params = 3 + has_engagement.astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(n_params)])
    total = int(offsets[-1])
    base = offsets[:-1]
    key_code = np.full(total, 3, np.int8)
    key_code[base], key_code[base + 1], key_code[base + 2] = 0, 1, 2
    string_source = np.full(total, 2 * n_events, np.int64)
    string_source[base], string_source[base + 1] = np.arange(n_events), n_events + np.arange(n_events)
    strings = pa.concat_arrays([location.cast(pa.string()), title, pa.nulls(1, pa.string())]).take(pa.array(string_source))
    int_value = np.zeros(total, np.int64)
    int_valid = np.zeros(total, bool)
    int_value[base + 2], int_valid[base + 2] = session_id, True
    eng_pos = base[has_engagement] + 3
    int_value[eng_pos], int_valid[eng_pos] = engagement_ms[has_engagement], True
    value = pa.StructArray.from_arrays(
        [strings, pa.array(int_value, pa.int64(), mask=~int_valid), pa.nulls(total, pa.float64()),
         pa.nulls(total, pa.float64())], fields=list(GA4_VALUE))
    params = pa.StructArray.from_arrays([_take(PARAM_KEYS, key_code), value], fields=list(GA4_PARAM))
    event_params = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), params, type=pa.list_(GA4_PARAM))

    source = user_source[event_session]
    date_string = (DATE_FROM + dt.timedelta(days=day)).strftime("%Y%m%d")
    columns = [
        pa.repeat(pa.scalar(date_string, pa.string()), n_events),
        pa.array(timestamp_us, pa.int64()),
        _take(EVENT_NAMES, event_name),
        event_params,
        _user_ids(user.astype(np.uint64), seed).take(pa.array(event_session)),
        pa.StructArray.from_arrays([_take(tuple(d for d, _ in DEVICES),
                                          _bucket(_mix64(event_user, seed * 97 + 3), [w for _, w in DEVICES]))],
                                   names=["category"]),
        pa.StructArray.from_arrays([_take(tuple(c for c, _ in CITIES),
                                          _bucket(_mix64(event_user, seed * 97 + 4), [w for _, w in CITIES]))],
                                   names=["city"]),
        pa.StructArray.from_arrays([_take(tuple(s[0] for s in SOURCES), source), _take(tuple(s[1] for s in SOURCES), source),
                                    _take(tuple(s[2] for s in SOURCES), source)], names=["name", "medium", "source"]),
    ]
    return pa.Table.from_arrays(columns, schema=GA4_SCHEMA)


# --------------------------------------------------------------------------------------------------------------------
# Access logs (nginx Combined Log Format)

BROWSER_AGENTS = (
    ("Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", 0.2),
    ("Mozilla/5.0 (Linux; Android 14; 23106RN0DA) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.165 Mobile Safari/537.36", 0.1),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 0.16),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", 0.06),
    ("Mozilla/5.0 (Linux; Android 12; CPH2269) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", 0.06),
    ("Mozilla/5.0 (Linux; Android 13; SM-A325F Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
     "Chrome/124.0.6367.179 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/466.0.0.53.109;]", 0.06),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", 0.16),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0", 0.05),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/123.0.198 "
     "Chrome/117.0.5938.198 Safari/537.36", 0.07),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", 0.03),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0", 0.02),
    ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 0.03),
)
# (user agent, IP prefix, hits per day as a share of human page views, minimum hits per day)
BOTS = (
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "66.249.66.", 0.15, 2),
    ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/125.0.6422.175 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "66.249.72.", 0.1, 1),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "40.77.167.", 0.06, 1),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "54.36.148.", 0.04, 0),
    ("Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)", "123.30.175.", 0.04, 0),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "173.252.83.", 0.02, 0),
)
MONITOR_AGENT = "curl/7.81.0"
SCANNER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36"
SCANNER_PATHS = ("/wp-login.php", "/.env", "/phpmyadmin/", "/wp-admin/setup-config.php", "/.git/config", "/admin/config.php",
                 "/xmlrpc.php", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php")
ASSETS = ("/themes/hcmedu/css/bootstrap.min.css", "/themes/hcmedu/css/style.css?v=20240115", "/themes/hcmedu/js/jquery-3.6.0.min.js",
          "/themes/hcmedu/js/main.js?v=20240115", "/themes/hcmedu/fonts/Roboto-Regular.woff2", "/images/logo.png",
          "/favicon.ico", "/uploads/images/banner-01.jpg", "/uploads/images/banner-02.jpg",
          "/themes/hcmedu/images/icon-zalo.svg", "/themes/hcmedu/js/main.js.map")
ASSET_WEIGHTS = (0.16, 0.16, 0.14, 0.14, 0.08, 0.1, 0.06, 0.06, 0.05, 0.04, 0.01)
ASSET_BYTES = (159_000, 24_000, 89_000, 12_000, 64_000, 8_500, 4_300, 210_000, 180_000, 1_200, 40_000)
DOWNLOADS = ("/uploads/files/ke-hoach-nam-hoc.pdf", "/uploads/files/thong-bao-tuyen-sinh.pdf", "/uploads/files/lich-cong-tac.pdf")
REFERRERS = ("https://www.google.com/", "https://www.google.com.vn/", "-", "https://www.facebook.com/", "http://m.facebook.com/",
             "https://hcm.edu.vn/", "https://coccoc.com/")
REFERRER_WEIGHTS = (0.38, 0.12, 0.25, 0.1, 0.05, 0.07, 0.03)
VN_PREFIXES = ("113.161", "113.172", "14.161", "14.169", "171.244", "27.64", "27.72", "42.113", "42.118", "116.110",
               "115.78", "125.235", "183.80", "1.53", "58.187", "118.69")


_OCTETS = np.array([str(i) for i in range(256)], dtype=object)
_CLOCK: list[pa.Array] = []


def _clock() -> pa.Array:
    """"HH:MM:SS" for every second of a day, built once."""
    if not _CLOCK:
        _CLOCK.append(pa.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)], pa.string()))
    return _CLOCK[0]


def _pick_by_day(catalog: Catalog, cums: dict[int, np.ndarray], day: np.ndarray, site: np.ndarray, u: np.ndarray
                 ) -> np.ndarray:
    """Pages for hits of several days (hits sorted by day): each day samples with its own page weights."""
    page = np.zeros(len(day), dtype=np.int64)
    bounds = np.searchsorted(day, np.array(sorted(cums)), side="left").tolist() + [len(day)]
    for (start, end), d in zip(zip(bounds[:-1], bounds[1:]), sorted(cums)):
        page[start:end] = catalog.pick(cums[d], site[start:end], u[start:end])
    return page


def _access_log_days(catalog: Catalog, site: int, preset: Preset, traffic: Traffic, days: np.ndarray,
                     cums: dict[int, np.ndarray], seed: int) -> list[tuple[bytes, int]]:
    """Daily nginx logs of one host for consecutive days, built in one vectorised pass; (gzip bytes, lines) per day."""
    rng = _rng(seed, "access_log", site, int(days[0]), len(days))
    host = catalog.sites[site].host
    site_url = "https://" + host
    expected_pv = preset.access_log_page_views_per_day * traffic.subsite[days]
    visits_per_day = rng.poisson(expected_pv / 1.8)
    visit_day = np.repeat(days, visits_per_day)
    n_visits = len(visit_day)
    pages_per_visit = np.minimum(rng.geometric(0.55, n_visits), 8)
    visit_start = rng.choice(24, n_visits, p=HOUR_WEIGHTS) * 3600 + rng.integers(0, 3600, n_visits)
    visitor = np.floor(rng.random(n_visits) ** 2 * max(preset.access_log_page_views_per_day * 30, 50)).astype(np.uint64)
    hv = _mix64(visitor, seed * 131 + site)
    visit_ip = (np.asarray(VN_PREFIXES, dtype=object)[(hv % np.uint64(len(VN_PREFIXES))).astype(np.int64)] + "."
                + _OCTETS[((hv >> np.uint64(8)) % np.uint64(256)).astype(np.int64)] + "."
                + _OCTETS[((hv >> np.uint64(16)) % np.uint64(254) + np.uint64(1)).astype(np.int64)])
    agents = np.asarray([a for a, _ in BROWSER_AGENTS], dtype=object)
    visit_agent = agents[_bucket(hv, [w for _, w in BROWSER_AGENTS])]
    visit_referrer = np.asarray(REFERRERS, dtype=object)[rng.choice(len(REFERRERS), n_visits, p=REFERRER_WEIGHTS)]

    hit_visit = np.repeat(np.arange(n_visits), pages_per_visit)
    n_pages = len(hit_visit)
    hit_day = visit_day[hit_visit]
    first = np.cumsum(pages_per_visit) - pages_per_visit
    order_in_visit = np.arange(n_pages) - first[hit_visit]
    gaps = np.where(order_in_visit == 0, 0, rng.exponential(40.0, n_pages) + 3).astype(np.int64)
    running = np.cumsum(gaps)
    page_t = np.minimum(visit_start[hit_visit] + running - running[first][hit_visit], 86_399)
    page = _pick_by_day(catalog, cums, hit_day, np.full(n_pages, site), rng.random(n_pages))
    path = catalog.path_np[page]
    status = rng.choice(np.array([200, 304, 404, 500]), n_pages, p=[0.905, 0.07, 0.02, 0.005])
    # A 404 comes from an old link of the previous CMS.
    path = np.where(status == 404, "/Default.aspx?tabid=" + _OCTETS[rng.integers(50, 256, n_pages)], path)
    method = np.where(rng.random(n_pages) < 0.004, "POST", "GET").astype(object)
    path = np.where(method == "POST", "/lien-he", path)
    page_bytes = np.where(status == 304, 0, np.where(status == 200, rng.lognormal(np.log(26_000), 0.35, n_pages),
                                                     rng.integers(900, 5_000, n_pages))).astype(np.int64)
    previous = np.maximum(np.arange(n_pages) - 1, 0)
    referrer = np.where(order_in_visit > 0, site_url + path[previous], visit_referrer[hit_visit])

    # Static assets: the first page of a visit loads them (200), later pages mostly revalidate (304).
    n_assets = np.where(order_in_visit == 0, 2 + rng.poisson(2.5, n_pages), rng.poisson(0.6, n_pages))
    n_assets = np.minimum(np.where(status == 200, n_assets, 0), len(ASSETS))
    asset_of = np.repeat(np.arange(n_pages), n_assets)
    # Distinct assets per page, the common ones first: weighted sampling without replacement (Efraimidis-Spirakis keys).
    keys = np.log(rng.random((n_pages, len(ASSETS)))) / np.asarray(ASSET_WEIGHTS)
    asset = np.argsort(-keys, axis=1, kind="stable")[np.arange(len(ASSETS)) < n_assets[:, None]]
    asset_status = np.where((order_in_visit[asset_of] == 0) & (rng.random(len(asset_of)) < 0.85), 200, 304)
    downloads = np.flatnonzero(rng.random(n_pages) < 0.02)

    names = ("day", "t", "ip", "method", "path", "status", "bytes", "ref", "ua")
    numeric = ("day", "t", "status", "bytes")
    columns: dict[str, list[np.ndarray]] = {name: [] for name in names}

    def add(*values) -> None:
        count = len(values[0])
        for name, value in zip(names, values):
            if isinstance(value, np.ndarray):
                columns[name].append(value)
            else:
                columns[name].append(np.full(count, value, dtype=np.int64 if name in numeric else object))

    hit_ip, hit_agent = visit_ip[hit_visit], visit_agent[hit_visit]
    add(hit_day, page_t, hit_ip, method, path, status, page_bytes, referrer, hit_agent)
    add(hit_day[asset_of], page_t[asset_of] + rng.integers(0, 3, len(asset_of)), hit_ip[asset_of], "GET",
        np.asarray(ASSETS, dtype=object)[asset], asset_status,
        np.where(asset_status == 200, np.asarray(ASSET_BYTES)[asset], 0), site_url + path[asset_of], hit_agent[asset_of])
    add(hit_day[downloads], page_t[downloads] + 5, hit_ip[downloads], "GET",
        np.asarray(DOWNLOADS, dtype=object)[rng.integers(0, len(DOWNLOADS), len(downloads))], 200,
        rng.integers(150_000, 2_500_000, len(downloads)), site_url + path[downloads], hit_agent[downloads])

    # Crawlers: each bot fetches pages already published (and robots.txt) from its own address range.
    site_pages = np.arange(catalog.site_start[site], catalog.site_end[site])
    site_pages = site_pages[np.argsort(catalog.publish_day[site_pages], kind="stable")]
    published_by = np.searchsorted(catalog.publish_day[site_pages], days, side="right")
    per_bot = rng.poisson(np.outer(expected_pv, [b[2] for b in BOTS])) + np.array([b[3] for b in BOTS])
    bot_day = np.repeat(np.repeat(days, len(BOTS)), per_bot.ravel())
    bot = np.repeat(np.tile(np.arange(len(BOTS)), len(days)), per_bot.ravel())
    count = len(bot)
    eligible = published_by[bot_day - days[0]]
    crawled = site_pages[np.floor(rng.random(count) * eligible).astype(np.int64)]
    bot_path = np.where(rng.random(count) < 0.05, "/robots.txt", catalog.path_np[crawled])
    bot_status = np.where(rng.random(count) < 0.03, 404, 200)
    add(bot_day, rng.integers(0, 86_400, count),
        np.asarray([b[1] for b in BOTS], dtype=object)[bot] + _OCTETS[rng.integers(1, 255, count)], "GET", bot_path,
        bot_status, np.where(bot_status == 200, rng.integers(15_000, 40_000, count), 1_024), "-",
        np.asarray([b[0] for b in BOTS], dtype=object)[bot])
    # Hourly uptime check from the department's monitoring host.
    add(np.repeat(days, 24), np.tile(np.arange(0, 86_400, 3_600), len(days)) + np.repeat(rng.integers(0, 60, len(days)), 24),
        "10.10.0.5", "HEAD", "/", 200, 0, "-", MONITOR_AGENT)
    # Vulnerability scanners on some days.
    scans = np.where(rng.random(len(days)) < 0.3, rng.integers(3, 9, len(days)), 0)
    scan_day = np.repeat(days, scans)
    add(scan_day, rng.integers(0, 86_340, len(scan_day)), "45.148.10." + _OCTETS[rng.integers(2, 250, len(days))][scan_day - days[0]],
        "GET", np.asarray(SCANNER_PATHS, dtype=object)[rng.integers(0, len(SCANNER_PATHS), len(scan_day))], 404, 548, "-",
        SCANNER_AGENT)

    data = {name: np.concatenate(parts) for name, parts in columns.items()}
    data["t"] = np.minimum(data["t"], 86_399)  # assets of a page loaded at 23:59:59 stay in the day's file
    order = np.lexsort((data["t"], data["day"]))
    per_day = np.bincount(data["day"] - days[0], minlength=len(days))
    day_start = np.concatenate([[0], np.cumsum(per_day)])
    # Log shipping retries duplicate a few lines (right after the original) on some days.
    dup_counts = np.where((rng.random(len(days)) < 0.15) & (per_day > 5), rng.integers(1, 4, len(days)), 0)
    dup_day = np.repeat(np.arange(len(days)), dup_counts)
    again = day_start[dup_day] + np.floor(rng.random(len(dup_day)) * per_day[dup_day]).astype(np.int64)
    order = order[np.sort(np.concatenate([np.arange(len(order)), again]), kind="stable")]
    data = {name: values[order] for name, values in data.items()}
    per_day = np.bincount(data["day"] - days[0], minlength=len(days))
    day_start = np.concatenate([[0], np.cumsum(per_day)])

    date_prefix = pa.array([" - - [" + (DATE_FROM + dt.timedelta(days=int(d))).strftime("%d/%b/%Y:") for d in days])
    lines = pc.binary_join_element_wise(
        pa.array(data["ip"], pa.string()), date_prefix.take(pa.array(data["day"] - days[0])), _clock().take(pa.array(data["t"])),
        ' +0700] "', pa.array(data["method"], pa.string()), " ", pa.array(data["path"], pa.string()), ' HTTP/1.1" ',
        pc.cast(pa.array(data["status"]), pa.string()), " ", pc.cast(pa.array(data["bytes"]), pa.string()), ' "',
        pa.array(data["ref"], pa.string()), '" "', pa.array(data["ua"], pa.string()), '"\n', "")
    # A crash truncates a line on some days.
    broken_days = np.flatnonzero((rng.random(len(days)) < 0.08) & (per_day > 5))
    if len(broken_days):
        broken = day_start[broken_days] + np.floor(rng.random(len(broken_days)) * per_day[broken_days]).astype(np.int64)
        texts = lines.take(pa.array(broken)).to_pylist()
        cuts = [text[: int(rng.integers(20, max(21, len(text) - 12)))] + "\n" for text in texts]
        mask = np.zeros(len(lines), dtype=bool)
        mask[broken] = True
        lines = pc.replace_with_mask(lines, pa.array(mask), pa.array(cuts, pa.string()))
    lines = pa.concat_arrays([lines])  # offset 0, one data buffer
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1)
    data_buffer = lines.buffers()[2]
    out = []
    for number in range(len(days)):
        start, end = offsets[day_start[number]], offsets[day_start[number + 1]]
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=6, mtime=0) as compressed:
            compressed.write(memoryview(data_buffer)[start:end] if data_buffer is not None else b"")
        out.append((buffer.getvalue(), int(per_day[number])))
    return out


# --------------------------------------------------------------------------------------------------------------------
# Page reports (GA4 Data API style)

PAGE_REPORT_COLUMNS = ["date", "hostName", "pagePath", "pageTitle", "screenPageViews", "activeUsers", "sessions",
                       "userEngagementDuration"]


def _page_report_month(catalog: Catalog, site: int, preset: Preset, traffic: Traffic, days: np.ndarray,
                       weights: dict[int, np.ndarray], seed: int) -> pl.DataFrame:
    """One host, one month: a row per day and page viewed at least once (views, users, sessions, engagement seconds)."""
    rng = _rng(seed, "page_report", site, int(days[0]))
    pages = np.arange(catalog.site_start[site], catalog.site_end[site])
    expected = np.stack([weights[d][pages] for d in days]) * (preset.page_report_page_views_per_day
                                                              * traffic.subsite[days])[:, None]
    views = rng.poisson(expected)
    day_index, page_index = np.nonzero(views)
    views = views[day_index, page_index]
    sessions = np.maximum(views - rng.binomial(views, 0.18), 1)
    users = np.maximum(sessions - rng.binomial(sessions, 0.12), 1)
    engagement = np.round(views * rng.gamma(2.0, 19.0, len(views))).astype(np.int64)
    dates = np.datetime64(DATE_FROM, "D") + days[day_index].astype("timedelta64[D]")
    return pl.DataFrame({
        "date": pl.Series(dates, dtype=pl.Date).dt.strftime("%Y%m%d"),
        "hostName": pl.repeat(catalog.sites[site].host, len(views), eager=True, dtype=pl.Utf8),
        "pagePath": pl.Series(catalog.path_np[pages[page_index]].astype(str), dtype=pl.Utf8),
        "pageTitle": pl.Series(catalog.title_np[pages[page_index]].astype(str), dtype=pl.Utf8),
        "screenPageViews": views.astype(np.int64),
        "activeUsers": users.astype(np.int64),
        "sessions": sessions.astype(np.int64),
        "userEngagementDuration": engagement,
    }).sort(["date", "screenPageViews", "pagePath"], descending=[False, True, False]).select(PAGE_REPORT_COLUMNS)


# --------------------------------------------------------------------------------------------------------------------
# People (submission authors, citizens)

SURNAMES = (("Nguyễn", 31), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 3), ("Phan", 4), ("Võ", 5),
            ("Vũ", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 1.5), ("Dương", 1.5), ("Lý", 1),
            ("Trương", 2), ("Đinh", 1), ("Lâm", 1), ("Mai", 1), ("Châu", 0.5), ("Tô", 0.5))
MIDDLE = {"m": ("Văn", "Minh", "Quốc", "Hoàng", "Đức", "Thanh", "Hữu", "Công", "Tấn", "Gia", "Trọng", "Anh", "Nhật"),
          "f": ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo", "Phương", "Hồng", "Thùy", "Khánh", "Minh")}
GIVEN = {"m": ("Anh", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khang", "Khoa", "Long", "Minh", "Nam",
               "Nghĩa", "Phát", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trí", "Trung",
               "Tuấn", "Việt", "Vinh"),
         "f": ("Anh", "Châu", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Lan", "Linh", "Loan",
               "Mai", "My", "Nga", "Ngân", "Nhi", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thư", "Trâm",
               "Trang", "Tuyết", "Uyên", "Vy", "Xuân", "Yến")}
PHONE_PREFIXES = ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", "089", "090", "093",
                  "070", "076", "077", "078", "079", "088", "091", "094", "081", "082", "083", "084", "085", "092", "056",
                  "058", "099", "059")
MAIL_DOMAINS = (("gmail.com", 0.74), ("yahoo.com", 0.1), ("outlook.com", 0.05), ("hotmail.com", 0.05), ("icloud.com", 0.03),
                ("yahoo.com.vn", 0.03))


def _people(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Fake Vietnamese citizens: full name, mobile number, e-mail."""
    female = rng.random(n) < 0.55
    surname = np.asarray([s for s, _ in SURNAMES])[rng.choice(len(SURNAMES), n, p=np.array([w for _, w in SURNAMES]) /
                                                              sum(w for _, w in SURNAMES))]
    middle = np.where(female, np.asarray(MIDDLE["f"])[rng.integers(0, len(MIDDLE["f"]), n)],
                      np.asarray(MIDDLE["m"])[rng.integers(0, len(MIDDLE["m"]), n)])
    given = np.where(female, np.asarray(GIVEN["f"])[rng.integers(0, len(GIVEN["f"]), n)],
                     np.asarray(GIVEN["m"])[rng.integers(0, len(GIVEN["m"]), n)])
    frame = pl.DataFrame({"surname": surname, "middle": middle, "given": given,
                          "prefix": np.asarray(PHONE_PREFIXES)[rng.integers(0, len(PHONE_PREFIXES), n)],
                          "digits": rng.integers(0, 10_000_000, n), "born": rng.integers(1965, 2006, n),
                          "style": rng.integers(0, 3, n),
                          "domain": np.asarray([d for d, _ in MAIL_DOMAINS])[
                              rng.choice(len(MAIL_DOMAINS), n, p=[w for _, w in MAIL_DOMAINS])]})
    ascii_name = {c: _fold_ascii(pl.col(c)).str.to_lowercase() for c in ("surname", "middle", "given")}
    return frame.select(
        name=pl.format("{} {} {}", "surname", "middle", "given"),
        phone=pl.format("{}{}", "prefix", pl.col("digits").cast(pl.Utf8).str.zfill(7)),
        email=pl.when(pl.col("style") == 0).then(pl.format("{}{}{}@{}", ascii_name["given"], ascii_name["surname"],
                                                           pl.col("born") % 100, "domain"))
        .when(pl.col("style") == 1).then(pl.format("{}{}{}@{}", ascii_name["surname"], ascii_name["middle"],
                                                   ascii_name["given"], "domain"))
        .otherwise(pl.format("{}.{}{}@{}", ascii_name["given"], ascii_name["surname"], "born", "domain")),
    )


# --------------------------------------------------------------------------------------------------------------------
# Article submissions

SUBMISSION_COLUMNS = ["Mã bài", "Đơn vị", "Ngày gửi", "Tiêu đề", "Mục kế hoạch", "Tác giả", "Trạng thái", "Ngày đăng",
                      "Kênh đăng", "Đường dẫn"]
STATUS_VI = {"received": "Đã tiếp nhận", "selected": "Được chọn", "published": "Đã đăng", "rejected": "Không sử dụng",
             "withdrawn": "Rút lại"}
CHANNEL_VI = {"portal": "Cổng thông tin", "press": "Báo chí", "ministry": "Bộ GDĐT"}
PRESS_SITES = ("https://tuoitre.vn/", "https://thanhnien.vn/", "https://www.sggp.org.vn/", "https://nld.com.vn/",
               "https://vnexpress.net/", "https://plo.vn/", "https://giaoducthoidai.vn/")
QUARTERS = [(dt.date(2024, 1, 1), dt.date(2024, 3, 31)), (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
            (dt.date(2024, 7, 1), dt.date(2024, 9, 30)), (dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
            (dt.date(2025, 1, 1), dt.date(2025, 3, 31)), (dt.date(2025, 4, 1), dt.date(2025, 6, 30))]


def _quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _day_seconds(rng: np.random.Generator, n: int, evening_share: float) -> np.ndarray:
    office = rng.integers(7 * 3600 + 1800, 17 * 3600 + 1800, n)
    evening = rng.integers(18 * 3600, 23 * 3600, n)
    return np.where(rng.random(n) < evening_share, evening, office)


def _as_datetime(calendar: WorkingCalendar, day_index: np.ndarray, seconds: np.ndarray) -> pl.Series:
    base = np.datetime64(calendar.first, "s")
    return pl.Series((base + day_index.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")).astype("datetime64[us]"))


def _submissions(seed: int, preset: Preset, registry: pl.DataFrame, calendar: WorkingCalendar
                 ) -> tuple[pl.DataFrame, dict]:
    """Articles units send to the department office: quotas kept by most, laggards, end-of-quarter rush, editorial flow."""
    rng = _rng(seed, "submissions")
    units = registry.with_columns(kind=pl.Series([_kind(c, t) for c, t in registry.select("unit_code", "unit_type").iter_rows()]))
    codes = units["unit_code"].to_list()
    types = units["unit_type"].to_list()
    # Chronic laggards: a few district offices usually below 3 a quarter, a few schools and centres at 0.
    laggards = set(rng.choice([c for c, t in zip(codes, types) if t == "district_office"], 5, replace=False).tolist())
    laggards |= set(rng.choice([c for c, t in zip(codes, types) if t == "affiliated_unit"], 3, replace=False).tolist())
    laggards |= set(rng.choice([c for c, t in zip(codes, types) if t == "gdnn_gdtx_centre"], 2, replace=False).tolist())
    normal_rate = {"district_office": 6.0, "affiliated_unit": 2.3, "gdnn_gdtx_centre": 2.2, "department_division": 0.5}
    lagging_rate = {"district_office": 1.6, "affiliated_unit": 0.35, "gdnn_gdtx_centre": 0.35, "department_division": 0.5}
    rate = np.array([lagging_rate[t] if c in laggards else normal_rate[t] * preset.submission_rate_scale
                     for c, t in zip(codes, types)])
    rate[np.array(codes) == PORTAL_UNIT] = 0.2

    unit_of, day_of = [], []
    for q_start, q_end in QUARTERS:
        i0, i1 = calendar.index(q_start), calendar.index(q_end)
        day_index = np.arange(i0, i1 + 1)
        to_end = i1 - day_index
        # End-of-quarter rush: the last three weeks carry most submissions.
        weights = np.where(calendar.working[day_index], 1.0, 0.12) * (1.0 + 5.0 * np.clip(1 - to_end / 21.0, 0, 1))
        valid = units.select(((pl.col("valid_from") <= q_end) & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= q_start)))
                             ).to_series().to_numpy()
        counts = rng.poisson(rate * valid)
        unit_of.append(np.repeat(np.arange(len(codes)), counts))
        day_of.append(rng.choice(day_index, counts.sum(), p=weights / weights.sum()))
    unit_idx = np.concatenate(unit_of)
    day_idx = np.concatenate(day_of)
    n = len(unit_idx)
    seconds = _day_seconds(rng, n, 0.15)
    submitted = _as_datetime(calendar, day_idx, seconds)
    kinds = units["kind"].to_numpy()[unit_idx].tolist()
    title_units = units.select(pl.all().gather(unit_idx))
    titles, plan_items = _unit_titles(rng, kinds, day_idx - calendar.index(DATE_FROM), title_units)
    plan_items = np.where(rng.random(n) < 0.15, "", np.asarray(plan_items, dtype=object))

    officials = _people(_rng(seed, "people", 1), len(codes))["name"].to_numpy()
    others = _people(_rng(seed, "people", 2), n)["name"].to_numpy()
    author = np.where(rng.random(n) < 0.85, officials[unit_idx], others)

    outcome = rng.choice(["published", "rejected", "withdrawn", "selected"], n, p=[0.78, 0.15, 0.04, 0.03])
    decided_day = calendar.after_working_days(day_idx, rng.integers(1, 5, n))
    decided_at = _as_datetime(calendar, decided_day, _day_seconds(rng, n, 0.0))
    published_day = calendar.after_working_days(decided_day, rng.integers(0, 7, n))
    published_at = _as_datetime(calendar, published_day, _day_seconds(rng, n, 0.1))
    withdrawn_at = _as_datetime(calendar, calendar.after_working_days(day_idx, rng.integers(0, 4, n)), _day_seconds(rng, n, 0))
    # The list is exported at the end of the data: later decisions are not in it yet.
    decided = (decided_at <= AS_OF).to_numpy()
    is_published = (outcome == "published") & decided & (published_at <= AS_OF).to_numpy()
    status = np.where(outcome == "withdrawn", np.where((withdrawn_at <= AS_OF).to_numpy(), "withdrawn", "received"),
                      np.where(~decided, "received", np.where(outcome == "rejected", "rejected",
                                                              np.where(is_published, "published", "selected"))))
    channel = np.where(is_published, rng.choice(["portal", "press", "ministry"], n, p=[0.78, 0.15, 0.07]), "")
    slugs = _slug(titles).to_numpy()
    number = rng.integers(100_000, 999_999, n).astype(str)
    press = np.asarray(PRESS_SITES, dtype=object)[rng.integers(0, len(PRESS_SITES), n)]
    url = np.where(channel == "portal", "https://hcm.edu.vn/tin-tuc/" + slugs.astype(object) + "-" + number,
                   np.where(channel == "press", press + slugs.astype(object) + "-" + number + ".htm",
                            np.where(channel == "ministry", "https://moet.gov.vn/tintuc/Pages/tin-tong-hop.aspx?ItemID=" + number,
                                     "")))

    # People type the unit: mostly the registry name, sometimes without diacritics, in other case, or the code.
    names = units["unit_name"].to_numpy()[unit_idx].astype(object)
    variant = rng.choice(5, n, p=[0.955, 0.012, 0.012, 0.011, 0.01])
    folded = _fold_ascii(pl.Series(names.astype(str))).to_numpy().astype(object)
    typed = np.where(variant == 1, folded, names)
    typed = np.where(variant == 2, np.char.upper(names.astype(str)).astype(object), typed)
    typed = np.where(variant == 3, np.char.lower(names.astype(str)).astype(object), typed)
    typed = np.where(variant == 4, np.asarray(codes, dtype=object)[unit_idx], typed)
    titles_out = titles.to_numpy().astype(object)
    # Two rows pasted from a Mac: decomposed (NFD) Vietnamese.
    for row in rng.choice(np.flatnonzero(variant == 0), min(2, int((variant == 0).sum())), replace=False):
        typed[row] = unicodedata.normalize("NFD", typed[row])
        titles_out[row] = unicodedata.normalize("NFD", titles_out[row])

    frame = pl.DataFrame({
        "submitted_at": submitted, "unit_code": np.asarray(codes)[unit_idx], "unit_as_sent": typed.astype(str),
        "title": titles_out.astype(str), "plan_item": plan_items.astype(str), "author": author.astype(str),
        "status": status.astype(str), "published_at": published_at, "channel": channel.astype(str), "url": url.astype(str),
    }).with_columns(pl.when(pl.col("status") == "published").then(pl.col("published_at")).otherwise(None).alias("published_at"))
    frame = frame.with_row_index("_seq").sort(["submitted_at", "_seq"]).with_columns(
        year=pl.col("submitted_at").dt.year(), quarter=pl.col("submitted_at").dt.quarter())
    frame = frame.with_columns(
        submission_id=pl.format("BV-{}-{}", "year", (pl.int_range(1, pl.len() + 1).over("year")).cast(pl.Utf8).str.zfill(5)),
        file=pl.format("{}Q{}", "year", "quarter"),
    ).drop("_seq")
    notes = {"lagging_units": sorted(laggards)}
    return frame, notes


def _submission_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("submission_id").alias("Mã bài"),
        pl.col("unit_as_sent").alias("Đơn vị"),
        pl.col("submitted_at").dt.strftime("%d/%m/%Y %H:%M").alias("Ngày gửi"),
        pl.col("title").alias("Tiêu đề"),
        pl.col("plan_item").alias("Mục kế hoạch"),
        pl.col("author").alias("Tác giả"),
        pl.col("status").replace_strict(STATUS_VI).alias("Trạng thái"),
        pl.col("published_at").dt.strftime("%d/%m/%Y %H:%M").fill_null("").alias("Ngày đăng"),
        pl.col("channel").replace_strict({**CHANNEL_VI, "": ""}).alias("Kênh đăng"),
        pl.col("url").alias("Đường dẫn"),
    ).select(SUBMISSION_COLUMNS)


def _write_xlsx(rows: pl.DataFrame, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    # Fixed document properties: the same seed gives the same bytes.
    workbook.set_properties({"title": "Danh sách bài viết gửi Văn phòng Sở", "author": "Văn phòng Sở",
                             "created": dt.datetime(2025, 7, 1, 8, 0, 0)})
    sheet = workbook.add_worksheet("Danh sách")
    bold = workbook.add_format({"bold": True})
    for column, name in enumerate(rows.columns):
        sheet.write_string(0, column, name, bold)
    for r, values in enumerate(rows.iter_rows(), start=1):
        for column, value in enumerate(values):
            if value not in (None, ""):
                sheet.write_string(r, column, str(value))
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 42)
    sheet.set_column(2, 2, 17)
    sheet.set_column(3, 3, 80)
    workbook.close()


# --------------------------------------------------------------------------------------------------------------------
# Feedback tickets

FEEDBACK_COLUMNS = ["Mã phản ánh", "Thời điểm tiếp nhận", "Kênh tiếp nhận", "Lĩnh vực", "Họ tên người phản ánh",
                    "Số điện thoại", "Email", "Nội dung", "Đơn vị được giao", "Thời điểm chuyển", "Đơn vị trả lời",
                    "Thời điểm trả lời", "Chức danh người trả lời", "Thời điểm công khai", "Trạng thái"]
CHANNELS = (("Cổng thông tin", 0.45), ("Hệ thống 1022", 0.25), ("Đường dây nóng", 0.15), ("Email", 0.12), ("Trực tiếp", 0.03))
CATEGORIES = ("Tuyển sinh", "Học phí - Thu chi", "Thi cử", "Cơ sở vật chất", "Nhân sự - Giáo viên",
              "Chương trình - Sách giáo khoa", "An toàn trường học", "Khác", "Khiếu nại")
# Base weights per category and the months in which a category doubles or triples.
CATEGORY_BASE = np.array([0.16, 0.14, 0.08, 0.12, 0.12, 0.09, 0.11, 0.17, 0.01])
CATEGORY_SEASON = {0: {4: 2.0, 5: 2.5, 6: 3.0, 7: 3.0, 8: 2.0}, 1: {8: 2.0, 9: 3.0, 10: 2.0}, 2: {5: 1.5, 6: 3.5, 7: 2.5},
                   6: {10: 1.3, 11: 1.3}}
# Who gets a category: shares of unit types and named divisions.
ROUTING = {
    "Tuyển sinh": {"district_office": 0.55, "affiliated_unit": 0.2, "SGD_GDTRH": 0.15, "SGD_GDTH": 0.05, "SGD_GDMN": 0.05},
    "Học phí - Thu chi": {"district_office": 0.55, "affiliated_unit": 0.25, "SGD_KHTC": 0.15, "gdnn_gdtx_centre": 0.05},
    "Thi cử": {"affiliated_unit": 0.35, "SGD_KTKD": 0.4, "district_office": 0.2, "SGD_GDTRH": 0.05},
    "Cơ sở vật chất": {"district_office": 0.6, "affiliated_unit": 0.25, "SGD_KHTC": 0.1, "gdnn_gdtx_centre": 0.05},
    "Nhân sự - Giáo viên": {"district_office": 0.45, "affiliated_unit": 0.2, "SGD_TCCB": 0.35},
    "Chương trình - Sách giáo khoa": {"district_office": 0.45, "SGD_GDTRH": 0.25, "SGD_GDTH": 0.25, "affiliated_unit": 0.05},
    "An toàn trường học": {"district_office": 0.6, "affiliated_unit": 0.3, "SGD_VP": 0.1},
    "Khác": {"SGD_VP": 0.4, "district_office": 0.4, "affiliated_unit": 0.15, "gdnn_gdtx_centre": 0.05},
    "Khiếu nại": {"SGD_TTR": 0.7, "district_office": 0.3},
}
CONTENT_TEMPLATES = {
    "Tuyển sinh": [
        "Con tôi năm nay vào lớp {entry}, gia đình tạm trú tại {area} nhưng chưa được phân tuyến vào {school}. Đề nghị xem xét.",
        "Xin hỏi điều kiện tuyển sinh lớp 10 năm học {sy_next} đối với học sinh có hộ khẩu tỉnh khác đang học tại {area}.",
        "Hệ thống đăng ký tuyển sinh đầu cấp trực tuyến báo lỗi khi nhập mã định danh của học sinh, đề nghị hướng dẫn.",
        "Đề nghị công khai chỉ tiêu tuyển sinh lớp {entry} của {school} năm học {sy_next}.",
    ],
    "Học phí - Thu chi": [
        "Phụ huynh phản ánh {school} thu tiền {fee} đầu năm học {sy} cao hơn mức quy định.",
        "Ban đại diện cha mẹ học sinh lớp {grade} của {school} vận động đóng góp tiền {fee}, đề nghị kiểm tra tính tự nguyện.",
        "Xin hỏi mức học phí năm học {sy} đối với trường công lập tại {area} và chính sách miễn, giảm.",
    ],
    "Thi cử": [
        "Đề nghị phúc khảo bài thi môn {subject} kỳ thi tuyển sinh lớp 10, con tôi dự thi tại điểm thi {school}.",
        "Xin hỏi thời gian công bố điểm thi và điểm chuẩn tuyển sinh lớp 10 năm học {sy_next}.",
        "Phản ánh phòng thi tại {school} nóng, thiếu quạt trong kỳ thi vừa qua.",
    ],
    "Cơ sở vật chất": [
        "Nhà vệ sinh học sinh tại {school} xuống cấp, có mùi hôi, đề nghị sửa chữa.",
        "Phòng học tại {school} bị dột khi mưa lớn, ảnh hưởng việc học của học sinh.",
        "Cây xanh trong sân {school} có nguy cơ gãy đổ mùa mưa bão, đề nghị kiểm tra.",
    ],
    "Nhân sự - Giáo viên": [
        "Tôi là giáo viên hợp đồng tại {school}, đến nay chưa được thanh toán tiền dạy thêm giờ học kỳ {hk}.",
        "Phản ánh giáo viên lớp {grade} tại {school} có lời nói chưa chuẩn mực với học sinh.",
        "Xin hỏi kế hoạch tuyển dụng viên chức giáo viên năm {year} tại {area}.",
    ],
    "Chương trình - Sách giáo khoa": [
        "Phụ huynh phản ánh {school} yêu cầu mua thêm sách tham khảo ngoài danh mục sách giáo khoa lớp {grade}.",
        "Đề nghị giải thích việc lựa chọn sách giáo khoa lớp {grade} năm học {sy}.",
        "Chương trình \"tiếng Anh tăng cường\" tại {school} thu phí nhưng chưa rõ nội dung, đề nghị làm rõ.",
    ],
    "An toàn trường học": [
        "Trước cổng {school} thường xuyên kẹt xe, mất an toàn giờ tan học, đề nghị phân luồng.",
        "Phản ánh tình trạng bạo lực học đường tại {school}, con tôi học lớp {grade} bị bạn đánh.",
        "Căng tin {school} bán thực phẩm không rõ nguồn gốc cho học sinh.",
    ],
    "Khác": [
        "Đề nghị cập nhật số điện thoại đường dây nóng của các trường tại {area} trên cổng thông tin.",
        "Xin hỏi thủ tục cấp bản sao bằng tốt nghiệp THPT năm {old_year}.",
        "Xin hỏi thủ tục chuyển trường cho học sinh lớp {grade} từ tỉnh khác về {area}.",
    ],
    "Khiếu nại": [
        "Tôi khiếu nại việc {school} xếp loại rèn luyện của con tôi lớp {grade} không đúng quy định.",
        "Khiếu nại kết quả xét tuyển viên chức giáo viên năm {year} tại {area}.",
    ],
}
RESPONDER_TITLES = {"district_office": ("Trưởng phòng", "Phó Trưởng phòng"), "affiliated_unit": ("Hiệu trưởng", "Phó Hiệu trưởng"),
                    "gdnn_gdtx_centre": ("Giám đốc", "Phó Giám đốc"), "department_division": ("Trưởng phòng", "Phó Trưởng phòng")}


@dataclass(frozen=True)
class FeedbackSetup:
    """What all quarters of feedback share: expected tickets per day, routing, unit speed, the citizens."""

    daily: np.ndarray  # expected tickets per day (days since DATE_FROM)
    codes: np.ndarray
    types: np.ndarray
    routing: list[np.ndarray]  # per category: probability of each unit to be assigned
    speed: np.ndarray  # per unit: multiplier of the working days to answer
    people: pl.DataFrame


def _feedback_setup(seed: int, preset: Preset, registry: pl.DataFrame, calendar: WorkingCalendar) -> FeedbackSetup:
    rng = _rng(seed, "feedback")
    i0 = calendar.index(DATE_FROM)
    month = (np.datetime64(DATE_FROM, "D") + np.arange(N_DAYS).astype("timedelta64[D]")).astype("datetime64[M]").astype(
        np.int64) % 12 + 1
    season = np.array([{4: 1.2, 5: 1.4, 6: 1.6, 7: 1.5, 8: 1.3, 9: 1.5, 10: 1.2, 2: 0.8, 12: 0.85}.get(m, 1.0) for m in range(1, 13)])
    daily = season[month - 1] * np.where(calendar.working[i0: i0 + N_DAYS], 1.0, 0.3)
    daily = daily / daily[:366].mean() * preset.feedback_tickets_per_year / 366

    codes = registry["unit_code"].to_numpy()
    types = registry["unit_type"].to_numpy()
    district_size = {"PGD_BTAN": 2.2, "PGD_TDUC": 2.5, "PGD_GVAP": 1.8, "PGD_BCHANH": 1.8, "PGD_Q12": 1.7, "PGD_BTHANH": 1.6,
                     "PGD_TBINH": 1.5, "PGD_HMON": 1.4, "PGD_CCHI": 1.2, "PGD_TPHU": 1.4, "PGD_CGIO": 0.3, "PGD_NBE": 0.6,
                     "PGD_Q1": 0.7, "PGD_Q3": 0.7, "PGD_Q4": 0.6, "PGD_Q5": 0.6, "PGD_PNHUAN": 0.6}
    unit_weight = np.array([district_size.get(code, 1.0) for code in codes])
    routing = []
    for category in CATEGORIES:
        p = np.zeros(len(codes))
        for target, share in ROUTING[category].items():
            members = (codes == target) if target.startswith("SGD_") else (types == target)
            p[members] += share * unit_weight[members] / unit_weight[members].sum()
        routing.append(p / p.sum())
    speed = rng.lognormal(0.0, 0.25, len(codes))
    speed[rng.choice(np.flatnonzero(types == "district_office"), 3, replace=False)] = 1.9  # chronically slow offices
    # Citizens: some write several times over the whole period.
    pool = max(int(daily.sum() * 0.85), 10)
    return FeedbackSetup(daily, codes, types, routing, speed, _people(_rng(seed, "people", 3), pool))


def _feedback_quarter(seed: int, setup: FeedbackSetup, registry: pl.DataFrame, calendar: WorkingCalendar, quarter: int,
                      first_number: int) -> tuple[pl.DataFrame, dict]:
    """Tickets received in one quarter (index into QUARTERS), as the feedback system exports them at the end of the data."""
    rng = _rng(seed, "feedback", quarter + 1)
    q_start, q_end = QUARTERS[quarter]
    i0 = calendar.index(DATE_FROM)
    day = np.arange((q_start - DATE_FROM).days, (q_end - DATE_FROM).days + 1)
    counts = rng.poisson(setup.daily[day])
    day_of = np.repeat(day, counts)
    n = len(day_of)
    month = (np.datetime64(DATE_FROM, "D") + day_of.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_index = day_of + i0
    on_working_day = calendar.working[day_index]
    seconds = np.where(on_working_day, _day_seconds(rng, n, 0.12), rng.integers(6 * 3600, 23 * 3600, n))
    channel = rng.choice(len(CHANNELS), n, p=[w for _, w in CHANNELS])
    # Hotline and walk-in only in office hours of working days.
    offline = np.isin(channel, [2, 4]) & (~on_working_day | (seconds > 17 * 3600 + 1800))
    channel = np.where(offline, 0, channel)

    season_weight = np.tile(CATEGORY_BASE, (12, 1))
    for cat, months in CATEGORY_SEASON.items():
        for m, factor in months.items():
            season_weight[m - 1, cat] *= factor
    season_weight /= season_weight.sum(axis=1, keepdims=True)
    u = rng.random(n)
    category = (u[:, None] > np.cumsum(season_weight[month - 1], axis=1)).sum(axis=1).clip(0, len(CATEGORIES) - 1)

    codes, types, routing_p, speed = setup.codes, setup.types, setup.routing, setup.speed
    assigned = np.zeros(n, np.int64)
    for cat_number in range(len(CATEGORIES)):
        rows = np.flatnonzero(category == cat_number)
        assigned[rows] = rng.choice(len(codes), len(rows), p=routing_p[cat_number])

    # Working days to a response: mostly 1-8, some above 10; slower before Tết and around the spring holidays.
    k = np.maximum(np.round(rng.lognormal(np.log(3.0), 0.55, n) * speed[assigned]), 1).astype(np.int64)
    slow_season = np.zeros(n, bool)
    for start, end in TET_WINDOWS:
        slow_season |= (day_of >= (start - DATE_FROM).days - 12) & (day_of <= (end - DATE_FROM).days + 3)
    for start, end in SPRING_BREAKS:
        slow_season |= (day_of >= (start - DATE_FROM).days) & (day_of <= (end - DATE_FROM).days)
    k = np.where(slow_season, k + rng.integers(2, 6, n), k)
    k = np.where(rng.random(n) < 0.04, rng.integers(11, 26, n), k)
    k = np.where(rng.random(n) < 0.012, rng.integers(40, 160, n), k)  # forgotten tickets: the long open backlog
    k = np.where(category == CATEGORIES.index("Khiếu nại"), rng.integers(8, 36, n), k)
    same_day = on_working_day & (seconds < 15 * 3600) & (rng.random(n) < 0.05)
    k = np.where(same_day, 0, k)

    # Forwarded because outside the receiver's competence: within 5 working days mostly, some later.
    forwarded = rng.random(n) < 0.07
    forward_k = np.where(rng.random(n) < 0.85, rng.integers(1, 6, n), rng.integers(6, 13, n))
    forward_day = calendar.after_working_days(day_index, forward_k)
    forward_at = _as_datetime(calendar, forward_day, _day_seconds(rng, n, 0.0))
    k = np.where(forwarded, forward_k + np.maximum(np.round(rng.lognormal(np.log(3.0), 0.5, n)), 1).astype(np.int64), k)
    competent = assigned.copy()
    for cat_number in range(len(CATEGORIES)):
        rows = np.flatnonzero(forwarded & (category == cat_number))
        competent[rows] = rng.choice(len(codes), len(rows), p=routing_p[cat_number])
    office = np.flatnonzero(codes == PORTAL_UNIT)[0]
    competent = np.where(forwarded & (competent == assigned), office, competent)
    responding = np.where(forwarded, competent, assigned)
    # A few answered by the department office or a division on behalf of the assigned unit.
    on_behalf = ~forwarded & (rng.random(n) < 0.02)
    responding[on_behalf] = office

    response_day = calendar.after_working_days(day_index, k)
    response_seconds = _day_seconds(rng, n, 0.05)
    response_seconds = np.where(k == 0, np.minimum(seconds + rng.integers(1800, 4 * 3600, n), 86_399), response_seconds)
    received_at = _as_datetime(calendar, day_index, seconds)
    responded_at = _as_datetime(calendar, response_day, response_seconds)
    # Answers are put on the portal in office hours, one to four working days after the answer.
    published_at = _as_datetime(calendar, calendar.after_working_days(response_day, rng.integers(1, 5, n)),
                                _day_seconds(rng, n, 0.0))
    publish = rng.random(n) < np.where(category == CATEGORIES.index("Khiếu nại"), 0.3, 0.88)

    answered = (responded_at <= AS_OF).to_numpy()
    was_forwarded = forwarded & (forward_at <= AS_OF).to_numpy()
    published = answered & publish & (published_at <= AS_OF).to_numpy()
    closed = published & ((responded_at + dt.timedelta(days=20)) < AS_OF).to_numpy() & (rng.random(n) < 0.6)
    status = np.where(answered, np.where(closed, "Đã đóng", "Đã trả lời"), np.where(was_forwarded, "Đã chuyển", "Đang xử lý"))
    title_choice = rng.random(n) < 0.55
    # Specialised centres (TT_*) are affiliated units led by a director, not a principal.
    title_type = np.where(np.char.startswith(codes.astype(str), "TT_"), "gdnn_gdtx_centre", types)
    head = np.array([RESPONDER_TITLES[t][0] for t in title_type], dtype=object)
    deputy = np.array([RESPONDER_TITLES[t][1] for t in title_type], dtype=object)
    responder = np.where(title_choice, deputy[responding], head[responding])
    responder = np.where(codes[responding] == "SGD_VP", "Chánh Văn phòng", responder)
    responder = np.where(codes[responding] == "SGD_TTR", "Chánh Thanh tra", responder)
    responder = np.where(rng.random(n) < 0.03, "Phó Giám đốc Sở", responder)

    pool = setup.people.height
    citizen = np.floor(rng.random(n) ** 1.3 * pool).astype(np.int64)
    person = setup.people.select(pl.all().gather(citizen))
    plus84 = rng.random(n) < 0.12
    phone = np.where(plus84, "+84" + person["phone"].str.slice(1).to_numpy().astype(object), person["phone"].to_numpy())
    has_phone = np.where(channel == 3, rng.random(n) < 0.4, rng.random(n) < 0.92)
    has_email = np.where(channel == 3, True, rng.random(n) < 0.35)
    anonymous = rng.random(n) < 0.03
    name = np.where(anonymous, "", person["name"].to_numpy())
    phone = np.where(has_phone, phone, "")
    email = np.where(has_email, person["email"].to_numpy(), "")

    areas = registry["area"].to_numpy()
    district_rows = np.flatnonzero(types == "district_office")
    area_unit = np.where(types[assigned] == "district_office", assigned, rng.choice(district_rows, n))
    # The school a citizen writes about: the assigned school itself, or a primary / lower-secondary school of the district.
    upper_secondary = types[assigned] == "affiliated_unit"
    lower_secondary = rng.random(n) < 0.5
    local_school = (np.where(lower_secondary, "Trường THCS ", "Trường Tiểu học ").astype(object)
                    + np.asarray(SCHOOL_NAMES, dtype=object)[rng.integers(0, len(SCHOOL_NAMES), n)])
    school = np.where(upper_secondary, registry["unit_name"].to_numpy()[assigned].astype(object),
                      local_school + " (" + areas[area_unit].astype(object) + ")")
    entry = np.where(upper_secondary, "10", np.where(lower_secondary, "6", "1"))
    grade = np.where(upper_secondary, rng.integers(10, 13, n), np.where(lower_secondary, rng.integers(6, 10, n),
                                                                          rng.integers(1, 6, n)))
    templates, offsets = [], []
    for cat in CATEGORIES:
        offsets.append((len(templates), len(CONTENT_TEMPLATES[cat])))
        templates += CONTENT_TEMPLATES[cat]
    first_template = np.array([o for o, _ in offsets])[category]
    which = first_template + np.floor(rng.random(n) * np.array([c for _, c in offsets])[category]).astype(np.int64)
    slots = _date_slots(day_of).hstack(pl.DataFrame({
        "school": school.astype(str), "area": areas[area_unit].astype(str),
        "old_year": rng.integers(1995, 2020, n).astype(str),
        "entry": entry, "grade": grade.astype(str),
        "subject": np.asarray(SUBJECTS)[rng.integers(0, 3, n)], "fee": np.asarray(FEES)[rng.integers(0, len(FEES), n)],
    }))
    content = _render(templates, which, slots).to_numpy().astype(object)
    # Citizens leave their contact in the text too; ingestion masks it.
    contact = rng.random(n)
    content = np.where((contact < 0.12) & (phone != ""), content + " Xin liên hệ " + phone.astype(object) + ".", content)
    content = np.where((contact > 0.93) & (email != ""), content + " Mong nhận phản hồi qua email " + email.astype(object) + ".",
                       content)

    frame = pl.DataFrame({
        "received_at": received_at, "channel": np.asarray([c for c, _ in CHANNELS])[channel],
        "category": np.asarray(CATEGORIES)[category], "name": name.astype(str), "phone": phone.astype(str),
        "email": email.astype(str), "content": content.astype(str), "assigned": codes[assigned],
        "forwarded_at": forward_at, "forwarded": was_forwarded,
        "responding": codes[responding], "responded_at": responded_at, "answered": answered,
        "responder": responder.astype(str), "published_at": published_at, "published": published, "status": status,
    }).with_row_index("_seq").sort(["received_at", "_seq"])
    stamp = "%Y-%m-%d %H:%M:%S"
    rows = frame.select(
        # Ticket numbers run through the year: a quarter continues where the previous one stopped.
        pl.format("PA-{}-{}", pl.lit(q_start.year), pl.int_range(first_number, first_number + pl.len()).cast(pl.Utf8)
                  .str.zfill(6)).alias("Mã phản ánh"),
        pl.col("received_at").dt.strftime(stamp).alias("Thời điểm tiếp nhận"),
        pl.col("channel").alias("Kênh tiếp nhận"),
        pl.col("category").alias("Lĩnh vực"),
        pl.col("name").alias("Họ tên người phản ánh"),
        pl.col("phone").alias("Số điện thoại"),
        pl.col("email").alias("Email"),
        pl.col("content").alias("Nội dung"),
        pl.col("assigned").alias("Đơn vị được giao"),
        pl.when(pl.col("forwarded")).then(pl.col("forwarded_at").dt.strftime(stamp)).otherwise(pl.lit("")).alias("Thời điểm chuyển"),
        pl.when(pl.col("answered")).then(pl.col("responding")).otherwise(pl.lit("")).alias("Đơn vị trả lời"),
        pl.when(pl.col("answered")).then(pl.col("responded_at").dt.strftime(stamp)).otherwise(pl.lit("")).alias("Thời điểm trả lời"),
        pl.when(pl.col("answered")).then(pl.col("responder")).otherwise(pl.lit("")).alias("Chức danh người trả lời"),
        pl.when(pl.col("published")).then(pl.col("published_at").dt.strftime(stamp)).otherwise(pl.lit("")).alias("Thời điểm công khai"),
        pl.col("status").alias("Trạng thái"),
    )
    notes = {"open_tickets": int((status == "Đang xử lý").sum()), "forwarded_tickets": int(was_forwarded.sum())}
    return rows, notes


# --------------------------------------------------------------------------------------------------------------------
# Entry point


def _write_csv(frame: pl.DataFrame, path: Path, bom: bool) -> None:
    # Empty text is written as an empty field (a,,b), as exports do, not as a quoted "".
    frame = frame.with_columns(pl.col(pl.Utf8).replace("", None))
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_bom=bom, line_terminator="\n", quote_style="necessary", null_value="")
    path.write_bytes(buffer.getvalue())


def _check_target(out_dir: Path) -> None:
    """Refuse to mix sample data into a folder of real exports: the marker would allow the development HMAC key."""
    if not out_dir.exists():
        return
    present = [p.name for p in out_dir.iterdir() if p.name != ".gitkeep"]
    if present and not (out_dir / settings.SAMPLE_MARKER).exists():
        raise FileExistsError(
            f"{out_dir} already holds {len(present)} entries ({', '.join(sorted(present)[:5])}) and no "
            f"{settings.SAMPLE_MARKER}: it looks like real data. Generate into an empty folder or remove those files first."
        )


def _write_analytics(out_dir: Path, config: Preset, seed: int, catalog: Catalog, traffic: Traffic, progress: bool,
                     files: dict[str, list[str]], rows: dict[str, int]) -> list[dict]:
    """GA4 export (a file per day), access logs (per host per day), page reports (per host per month); month by month."""
    ga4 = _ga4_context(catalog, config, seed)
    ga4_dir = out_dir / "analytics" / "ga4"
    log_dir = out_dir / "analytics" / "access_logs"
    report_dir = out_dir / "analytics" / "page_reports"
    log_sites = [i for i, s in enumerate(catalog.sites) if s.source_form == "access_log"]
    report_sites = [i for i, s in enumerate(catalog.sites) if s.source_form == "page_report"]
    for folder in [ga4_dir, report_dir] + [log_dir / catalog.sites[site].host for site in log_sites]:
        folder.mkdir(parents=True, exist_ok=True)
    for key in ("ga4_events", "ga4_page_views", "access_log_lines", "page_report_rows"):
        rows[key] = 0

    late_rng = _rng(seed, "late")
    late_days = set(np.sort(late_rng.choice(np.arange(10, N_DAYS - 10), int(late_rng.integers(3, 5)), replace=False)).tolist())
    late_notes = []
    # Access logs are built for several days at once (cheap for small presets), in chunks of a bounded number of lines.
    log_chunk_days = int(np.clip(250_000 // (config.access_log_page_views_per_day * 6), 1, 31))

    bar = tqdm(total=N_DAYS, desc=f"edukpi generate {config.name}", unit="day", disable=not (progress and config.show_progress))
    month_starts = [d for d in range(N_DAYS) if (DATE_FROM + dt.timedelta(days=d)).day == 1]
    for month_start, month_end in zip(month_starts, month_starts[1:] + [N_DAYS]):
        days = np.arange(month_start, month_end)
        weights = {int(d): catalog.day_weights(int(d)) for d in days}
        cums = {d: catalog.sampler(w) for d, w in weights.items()}
        for day in days.tolist():
            date = DATE_FROM + dt.timedelta(days=day)
            path = ga4_dir / f"events_{date:%Y%m%d}.parquet"
            day_events = 0
            with pq.ParquetWriter(path, GA4_SCHEMA, **PARQUET_OPTIONS) as writer:
                for table in _ga4_day(ga4, config, traffic, day, cums[day], seed):
                    writer.write_table(table, row_group_size=GA4_BATCH_SESSIONS * 8)
                    day_events += table.num_rows
                    rows["ga4_page_views"] += int(pc.sum(pc.equal(table["event_name"], "page_view")).as_py() or 0)
            files["ga4"].append(path.relative_to(out_dir).as_posix())
            rows["ga4_events"] += day_events
            if day in late_days:
                late = int(round(day_events * float(late_rng.uniform(0.02, 0.08))))
                late_notes.append({"date": date.isoformat(), "file": path.relative_to(out_dir).as_posix(), "late_events": late})
            bar.update(1)
        for site in log_sites:
            for chunk_start in range(month_start, month_end, log_chunk_days):
                chunk = np.arange(chunk_start, min(chunk_start + log_chunk_days, month_end))
                logs = _access_log_days(catalog, site, config, traffic, chunk, {int(d): cums[int(d)] for d in chunk}, seed)
                for day, (body, n_lines) in zip(chunk.tolist(), logs):
                    path = log_dir / catalog.sites[site].host / f"access-{DATE_FROM + dt.timedelta(days=day):%Y%m%d}.log.gz"
                    path.write_bytes(body)
                    files["access_logs"].append(path.relative_to(out_dir).as_posix())
                    rows["access_log_lines"] += n_lines
        for site in report_sites:
            frame = _page_report_month(catalog, site, config, traffic, days, weights, seed)
            path = report_dir / f"{catalog.sites[site].host}_{DATE_FROM + dt.timedelta(days=month_start):%Y-%m}.csv"
            _write_csv(frame, path, bom=False)
            files["page_reports"].append(path.relative_to(out_dir).as_posix())
            rows["page_report_rows"] += frame.height
    bar.close()
    return late_notes


def _write_submissions(out_dir: Path, config: Preset, seed: int, registry: pl.DataFrame, calendar: WorkingCalendar,
                       files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """One list per quarter: CSV (UTF-8 with BOM), the last quarter as XLSX; a few rows re-sent in a later list."""
    (out_dir / "submissions").mkdir(parents=True, exist_ok=True)
    submissions, notes = _submissions(seed, config, registry, calendar)
    # Units re-send: three rows of 2024Q2's last days turn up again, identical, in the 2024Q3 list.
    late_q2 = submissions.filter((pl.col("file") == "2024Q2") & (pl.col("submitted_at") >= dt.datetime(2024, 6, 20)))
    carried = late_q2[np.sort(_rng(seed, "submissions", 1).choice(late_q2.height, min(3, late_q2.height), replace=False))]
    for label in sorted(submissions["file"].unique().to_list()):
        part = submissions.filter(pl.col("file") == label)
        if label == "2024Q3":
            part = pl.concat([carried, part])
        if label == _quarter_label(DATE_TO):
            path = out_dir / "submissions" / f"{label}.xlsx"
            _write_xlsx(_submission_rows(part), path)
        else:
            path = out_dir / "submissions" / f"{label}.csv"
            _write_csv(_submission_rows(part), path, bom=True)
        files["submissions"].append(path.relative_to(out_dir).as_posix())
    rows["submissions"] = submissions.height + carried.height
    return {"duplicated_submissions": carried["submission_id"].to_list(), **notes}


def _write_feedback(out_dir: Path, config: Preset, seed: int, registry: pl.DataFrame, calendar: WorkingCalendar,
                    files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """One export per quarter (UTF-8 with BOM), generated quarter by quarter to bound memory."""
    (out_dir / "feedback").mkdir(parents=True, exist_ok=True)
    setup = _feedback_setup(seed, config, registry, calendar)
    next_number: dict[int, int] = {}
    totals = {"open_tickets": 0, "forwarded_tickets": 0}
    rows["feedback_tickets"] = 0
    for quarter, (q_start, _) in enumerate(QUARTERS):
        tickets, notes = _feedback_quarter(seed, setup, registry, calendar, quarter, next_number.get(q_start.year, 1))
        next_number[q_start.year] = next_number.get(q_start.year, 1) + tickets.height
        path = out_dir / "feedback" / f"phan_anh_{_quarter_label(q_start)}.csv"
        _write_csv(tickets.select(FEEDBACK_COLUMNS), path, bom=True)
        files["feedback"].append(path.relative_to(out_dir).as_posix())
        rows["feedback_tickets"] += tickets.height
        totals = {key: totals[key] + notes[key] for key in totals}
    return totals


def generate(preset: str, seed: int, out_dir: Path, progress: bool = True) -> dict:
    """Write every raw source for 2024-01-01..2025-06-30 into out_dir; the same preset and seed give the same bytes.

    Returns a summary: files written and rows per source, the GA4 days that arrived late, and facts about the data
    (hosts outside GA4, units behind their quota, re-sent submissions, open tickets) that tests and people can check.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; accepted: {', '.join(PRESETS)}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    config = PRESETS[preset]
    out_dir = Path(out_dir)
    _check_target(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    marker = {"generator": "ingestion.generate", "generator_version": GENERATOR_VERSION, "preset": preset, "seed": seed,
              "date_from": DATE_FROM.isoformat(), "date_to": DATE_TO.isoformat(),
              "note": "Generated sample data: every person in it is invented."}
    # Written first: an interrupted run still leaves a folder recognisably holding sample data.
    (out_dir / settings.SAMPLE_MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    registry = load_registry()
    calendar = WorkingCalendar.build()
    catalog = _build_catalog(seed, registry)
    files: dict[str, list[str]] = {"ga4": [], "access_logs": [], "page_reports": [], "submissions": [], "feedback": []}
    rows: dict[str, int] = {}
    late_notes = _write_analytics(out_dir, config, seed, catalog, _traffic(seed, calendar), progress, files, rows)
    submission_notes = _write_submissions(out_dir, config, seed, registry, calendar, files, rows)
    feedback_notes = _write_feedback(out_dir, config, seed, registry, calendar, files, rows)
    return {
        "preset": preset,
        "seed": seed,
        "out_dir": str(out_dir),
        "date_from": DATE_FROM.isoformat(),
        "date_to": DATE_TO.isoformat(),
        "files": {source: len(paths) for source, paths in files.items()},
        "rows": rows,
        "late_arriving_days": late_notes,
        "late_arriving_note": "GA4 added late_events to these days' tables up to 3 days later; the files on disk are the "
                              "complete re-delivered days (the first delivery lacked those events).",
        "access_log_hosts": [s.host for s in catalog.sites if s.source_form == "access_log"],
        "page_report_hosts": [s.host for s in catalog.sites if s.source_form == "page_report"],
        **submission_notes,
        **feedback_notes,
    }
