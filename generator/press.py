"""Sample press register (requests from journalists and the answers given), seeded and deterministic.

Most requests are ordinary questions answered within a few weeks, some late; about one in eight is about a hot event and
answered within hours, a few of those late; requests near the end of the data are still open. The register is exported
once per half-year, and a request still open at one export is listed again, answered, in the next (the answered copy
wins). Its own random stream, so no other source's files change.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from generator.calendar import WorkingCalendar, as_datetime, day_seconds
from generator.people import invented_people
from generator.presets import AS_OF, DATE_FROM, N_DAYS, Preset
from generator.writers import write_csv

_STREAM = 201  # beside generate's and social's streams
HOT_SHARE = 0.12
OUTLETS = ("Báo Tuổi Trẻ", "Báo Thanh Niên", "Báo Người Lao Động", "Báo Sài Gòn Giải Phóng", "Báo Pháp Luật TP.HCM",
           "Đài Truyền hình TP.HCM (HTV)", "Đài Tiếng nói Nhân dân TP.HCM", "VnExpress", "Báo Giáo dục và Thời đại",
           "Dân Trí")
TOPICS = ("Tuyển sinh lớp 10", "Thi tốt nghiệp THPT", "Học phí", "Dạy thêm, học thêm", "An toàn thực phẩm bếp ăn",
          "Tuyển dụng giáo viên", "Sách giáo khoa", "Cơ sở vật chất trường học", "Bạo lực học đường", "Chuyển đổi số")
ANSWER_CHANNELS = ("Văn bản", "Phỏng vấn trực tiếp", "Điện thoại", "Họp báo", "Email")
TITLES = ("Giám đốc Sở", "Phó Giám đốc Sở", "Chánh Văn phòng Sở", "Trưởng phòng", "Người phát ngôn")
PRESS_COLUMNS = {"request_id": "Mã yêu cầu", "outlet": "Cơ quan báo chí", "journalist": "Phóng viên",
                 "received_at": "Thời điểm tiếp nhận", "topic": "Nội dung", "urgency": "Mức độ",
                 "unit": "Đơn vị được giao", "answered_at": "Thời điểm trả lời", "title": "Người trả lời (chức danh)",
                 "channel": "Hình thức trả lời"}
EXPORT_DAYS = (dt.date(2024, 6, 30), dt.date(2024, 12, 31), dt.date(2025, 6, 30))


def _fmt(values: pl.Series) -> pl.Series:
    return values.dt.strftime("%Y-%m-%d %H:%M:%S")


def _answer_times(rng: np.random.Generator, calendar: WorkingCalendar, received: pl.Series, day_index: np.ndarray,
                  hot: np.ndarray) -> pl.Series:
    """Hot events: 1–30 hours on the clock (most within the day); others: 0–40 working days, at office hours."""
    n = len(day_index)
    hot_answer = received.to_numpy() + (rng.uniform(1, 30, n) * 3600).astype("timedelta64[s]")
    working_days = np.minimum(rng.geometric(0.09, n) - 1, 40)
    normal_answer = as_datetime(calendar, calendar.after_working_days(day_index, working_days), day_seconds(rng, n, 0.0))
    # an answer at office hours on the day of receipt may fall before the request came in: then an hour after it
    normal_answer = np.maximum(normal_answer.to_numpy(), received.to_numpy() + np.timedelta64(3600, "s"))
    return pl.Series(np.where(hot, hot_answer, normal_answer).astype("datetime64[us]"))


def build_press_requests(seed: int, config: Preset, units: list[str], calendar: WorkingCalendar) -> pl.DataFrame:
    rng = np.random.default_rng([seed, _STREAM])
    n = max(int(round(config.feedback_tickets_per_year / 10 * N_DAYS / 365)), 12)
    day_index = np.sort(rng.integers(0, N_DAYS, n)) + calendar.index(DATE_FROM)
    received = as_datetime(calendar, day_index, day_seconds(rng, n, 0.15))
    hot = rng.random(n) < HOT_SHARE
    answered = _answer_times(rng, calendar, received, day_index, hot)
    people = invented_people(rng, n)
    frame = pl.DataFrame({
        "request_id": [f"BC-{d.year}-{i + 1:04d}" for i, d in enumerate(received.dt.date().to_list())],
        "outlet": np.asarray(OUTLETS)[rng.integers(0, len(OUTLETS), n)],
        "journalist": people["name"],
        "received_at": received,
        "topic": np.asarray(TOPICS)[rng.integers(0, len(TOPICS), n)],
        "urgency": np.where(hot, "Sự kiện nóng", "Thường"),
        "unit": np.asarray(units)[rng.integers(0, len(units), n)],
        "answered_at": answered,
        "title": np.asarray(TITLES)[rng.integers(0, len(TITLES), n)],
        "channel": np.asarray(ANSWER_CHANNELS)[rng.integers(0, len(ANSWER_CHANNELS), n)],
    })
    return frame.with_columns(pl.when(pl.col("answered_at") <= AS_OF).then(pl.col("answered_at")).alias("answered_at"))


def _export(requests: pl.DataFrame, previous: dt.date | None, exported: dt.date) -> pl.DataFrame:
    """Requests received up to the export day and not answered in an earlier export; answers after it not known yet."""
    cutoff = dt.datetime.combine(exported, dt.time(23, 59, 59))
    part = requests.filter(pl.col("received_at") <= cutoff)
    if previous is not None:
        before = dt.datetime.combine(previous, dt.time(23, 59, 59))
        part = part.filter((pl.col("received_at") > before) | pl.col("answered_at").is_null()
                           | (pl.col("answered_at") > before))
    part = part.with_columns(pl.when(pl.col("answered_at") <= cutoff).then(pl.col("answered_at")).alias("answered_at"))
    part = part.with_columns(
        pl.when(pl.col("answered_at").is_not_null()).then(pl.col(c)).alias(c) for c in ("title", "channel"))
    return part.with_columns(_fmt(pl.col("received_at")), _fmt(pl.col("answered_at"))).rename(PRESS_COLUMNS)


def write_press(out_dir: Path, config: Preset, seed: int, registry: pl.DataFrame, calendar: WorkingCalendar,
                files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """press/requests_<export day>.csv: the department office's register, one export per half-year."""
    folder = out_dir / "press"
    folder.mkdir(parents=True, exist_ok=True)
    files.setdefault("press", [])
    # Requests go to the department's own divisions (the office answers most): units that exist throughout the data.
    units = registry.filter((pl.col("unit_type") == "department_division") & pl.col("valid_to").is_null())
    units = sorted(units["unit_code"].to_list())
    unit_weights = ["SGD_VP"] * 4 if "SGD_VP" in units else []
    requests = build_press_requests(seed, config, unit_weights + units, calendar)
    rows["press_requests"] = requests.height
    previous = None
    for exported in EXPORT_DAYS:
        part = _export(requests, previous, exported)
        path = folder / f"requests_{exported.isoformat()}.csv"
        write_csv(part, path, bom=True)
        files["press"].append(path.relative_to(out_dir).as_posix())
        rows["press_request_rows"] = rows.get("press_request_rows", 0) + part.height
        previous = exported
    open_count = requests.filter(pl.col("answered_at").is_null()).height
    media = write_press_media(out_dir, config, seed, files, rows)
    return {"press_requests": requests.height, "press_requests_open": open_count, **media}


_MEDIA_STREAM = 203
TONES = (("Tích cực", 0.55), ("Trung lập", 0.33), ("Tiêu cực", 0.12))
PLAN_ITEMS = ("I.1", "I.3", "II.1", "II.5", "II.6", "III.2", "IV.1", "V.2")
OUTLET_HOSTS = {"Báo Tuổi Trẻ": "tuoitre.vn", "Báo Thanh Niên": "thanhnien.vn", "Báo Người Lao Động": "nld.com.vn",
                "Báo Sài Gòn Giải Phóng": "sggp.org.vn", "Báo Pháp Luật TP.HCM": "plo.vn",
                "Đài Truyền hình TP.HCM (HTV)": "htv.com.vn", "Đài Tiếng nói Nhân dân TP.HCM": "voh.com.vn",
                "VnExpress": "vnexpress.net", "Báo Giáo dục và Thời đại": "giaoducthoidai.vn", "Dân Trí": "dantri.com.vn"}
EVENT_TYPES = (("Họp báo", 0.3), ("Hội thảo", 0.3), ("Tọa đàm", 0.2), ("Livestream", 0.2))
LEADERS = ("Giám đốc Sở", "Phó Giám đốc Sở", "Chánh Văn phòng Sở", "Trưởng phòng")


def _weighted(rng: np.random.Generator, pairs: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    return np.asarray([v for v, _ in pairs])[rng.choice(len(pairs), n, p=[w for _, w in pairs])]


def build_coverage(seed: int, config: Preset) -> pl.DataFrame:
    """Articles about the sector: a few a week (more for bigger presets), tone mostly positive, a plan item for some."""
    rng = np.random.default_rng([seed, _MEDIA_STREAM, 1])
    n = max(int(round(config.feedback_tickets_per_year / 5 * N_DAYS / 365)), 24)
    days = np.sort(rng.integers(0, N_DAYS, n))
    outlets = np.asarray(list(OUTLET_HOSTS))[rng.integers(0, len(OUTLET_HOSTS), n)]
    items = np.asarray(PLAN_ITEMS)[rng.integers(0, len(PLAN_ITEMS), n)]
    topics = np.asarray(TOPICS)[rng.integers(0, len(TOPICS), n)]
    return pl.DataFrame({
        "Ngày đăng": [(DATE_FROM + dt.timedelta(days=int(d))).strftime("%d/%m/%Y") for d in days],
        "Cơ quan báo chí": outlets,
        "Đường dẫn": [f"https://{OUTLET_HOSTS[o]}/giao-duc/bai-{seed}-{i + 1:05d}.htm" for i, o in enumerate(outlets)],
        "Tiêu đề": [f"TP.HCM: {t}" for t in topics],
        "Sắc thái": _weighted(rng, TONES, n),
        "Nhiệm vụ trong Kế hoạch": pl.Series(np.where(rng.random(n) < 0.6, items, "")).replace("", None),
    })


def build_events(seed: int) -> pl.DataFrame:
    """Three to six events a quarter; the leadership leads most press conferences."""
    rng = np.random.default_rng([seed, _MEDIA_STREAM, 2])
    n = 6 * 4 + int(rng.integers(0, 6))
    days = np.sort(rng.choice(N_DAYS, n, replace=False))
    kinds = _weighted(rng, EVENT_TYPES, n)
    leaders = np.asarray(LEADERS)[rng.integers(0, len(LEADERS), n)]
    topics = np.asarray(TOPICS)[rng.integers(0, len(TOPICS), n)]
    attendance = np.where(kinds == "Livestream", rng.integers(800, 15000, n), rng.integers(20, 300, n))
    return pl.DataFrame({
        "Ngày": [(DATE_FROM + dt.timedelta(days=int(d))).strftime("%d/%m/%Y") for d in days],
        "Hình thức": kinds,
        "Tên sự kiện": [f"{k}: {t}" for k, t in zip(kinds, topics)],
        "Người chủ trì (chức danh)": leaders,
        "Số người tham dự": attendance,
    })


def write_press_media(out_dir: Path, config: Preset, seed: int, files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """press/coverage_<year>.csv (the press review) and press/events_<year>.csv (events held)."""
    folder = out_dir / "press"
    coverage, events = build_coverage(seed, config), build_events(seed)
    for name, frame, column in (("coverage", coverage, "Ngày đăng"), ("events", events, "Ngày")):
        rows[f"press_{name}_rows"] = frame.height
        for year in sorted({d[-4:] for d in frame[column].to_list()}):
            path = folder / f"{name}_{year}.csv"
            write_csv(frame.filter(pl.col(column).str.ends_with(year)), path, bom=True)
            files["press"].append(path.relative_to(out_dir).as_posix())
    return {"press_coverage_articles": coverage.height, "press_events": events.height}
