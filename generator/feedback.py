"""Citizens' feedback tickets as the feedback system exports them: one CSV per quarter, routed, answered, published."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from generator.calendar import SPRING_BREAKS, TET_WINDOWS, WorkingCalendar, as_datetime, day_seconds
from generator.draws import stream_rng
from generator.people import invented_people
from generator.presets import AS_OF, DATE_FROM, N_DAYS, PORTAL_UNIT, QUARTERS, Preset, quarter_label
from generator.text import render_templates
from generator.titles import FEES, SCHOOL_NAMES, SUBJECTS, date_slots
from generator.writers import write_csv

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


def feedback_setup(seed: int, preset: Preset, registry: pl.DataFrame, calendar: WorkingCalendar) -> FeedbackSetup:
    rng = stream_rng(seed, "feedback")
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
    return FeedbackSetup(daily, codes, types, routing, speed, invented_people(stream_rng(seed, "people", 3), pool))


@dataclass(frozen=True)
class _Received:
    """Tickets of one quarter as received: day, time, channel, category and the unit the system assigned them to."""

    day_of: np.ndarray  # days since DATE_FROM
    day_index: np.ndarray  # index into the working calendar
    on_working_day: np.ndarray
    seconds: np.ndarray  # time of day
    channel: np.ndarray  # index into CHANNELS
    category: np.ndarray  # index into CATEGORIES
    assigned: np.ndarray  # row of the registry


def _received(rng: np.random.Generator, setup: FeedbackSetup, calendar: WorkingCalendar, quarter: int) -> _Received:
    q_start, q_end = QUARTERS[quarter]
    i0 = calendar.index(DATE_FROM)
    day = np.arange((q_start - DATE_FROM).days, (q_end - DATE_FROM).days + 1)
    counts = rng.poisson(setup.daily[day])
    day_of = np.repeat(day, counts)
    n = len(day_of)
    month = (np.datetime64(DATE_FROM, "D") + day_of.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_index = day_of + i0
    on_working_day = calendar.working[day_index]
    seconds = np.where(on_working_day, day_seconds(rng, n, 0.12), rng.integers(6 * 3600, 23 * 3600, n))
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

    codes, routing_p = setup.codes, setup.routing
    assigned = np.zeros(n, np.int64)
    for cat_number in range(len(CATEGORIES)):
        rows = np.flatnonzero(category == cat_number)
        assigned[rows] = rng.choice(len(codes), len(rows), p=routing_p[cat_number])
    return _Received(day_of, day_index, on_working_day, seconds, channel, category, assigned)


def _working_days_to_answer(rng: np.random.Generator, setup: FeedbackSetup, tickets: _Received) -> np.ndarray:
    """Working days to a response: mostly 1-8, some above 10; slower before Tết and around the spring holidays."""
    n, day_of, category = len(tickets.day_of), tickets.day_of, tickets.category
    k = np.maximum(np.round(rng.lognormal(np.log(3.0), 0.55, n) * setup.speed[tickets.assigned]), 1).astype(np.int64)
    slow_season = np.zeros(n, bool)
    for start, end in TET_WINDOWS:
        slow_season |= (day_of >= (start - DATE_FROM).days - 12) & (day_of <= (end - DATE_FROM).days + 3)
    for start, end in SPRING_BREAKS:
        slow_season |= (day_of >= (start - DATE_FROM).days) & (day_of <= (end - DATE_FROM).days)
    k = np.where(slow_season, k + rng.integers(2, 6, n), k)
    k = np.where(rng.random(n) < 0.04, rng.integers(11, 26, n), k)
    k = np.where(rng.random(n) < 0.012, rng.integers(40, 160, n), k)  # forgotten tickets: the long open backlog
    k = np.where(category == CATEGORIES.index("Khiếu nại"), rng.integers(8, 36, n), k)
    same_day = tickets.on_working_day & (tickets.seconds < 15 * 3600) & (rng.random(n) < 0.05)
    return np.where(same_day, 0, k)


def _forwarding(rng: np.random.Generator, setup: FeedbackSetup, calendar: WorkingCalendar, tickets: _Received,
                k: np.ndarray) -> tuple[np.ndarray, pl.Series, np.ndarray, np.ndarray]:
    """Forwarded because outside the receiver's competence: within 5 working days mostly, some later.

    Returns whether forwarded, when, the working days to the answer counting the forwarding, and the unit that answers."""
    n, day_index, category, assigned = len(tickets.day_of), tickets.day_index, tickets.category, tickets.assigned
    codes, routing_p = setup.codes, setup.routing
    forwarded = rng.random(n) < 0.07
    forward_k = np.where(rng.random(n) < 0.85, rng.integers(1, 6, n), rng.integers(6, 13, n))
    forward_day = calendar.after_working_days(day_index, forward_k)
    forward_at = as_datetime(calendar, forward_day, day_seconds(rng, n, 0.0))
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
    return forwarded, forward_at, k, responding


def _answer_times(rng: np.random.Generator, calendar: WorkingCalendar, tickets: _Received, k: np.ndarray
                  ) -> tuple[pl.Series, pl.Series, pl.Series, np.ndarray]:
    """Received, answered and published times, and whether the answer is to be published."""
    n, day_index, seconds, category = len(tickets.day_of), tickets.day_index, tickets.seconds, tickets.category
    response_day = calendar.after_working_days(day_index, k)
    response_seconds = day_seconds(rng, n, 0.05)
    response_seconds = np.where(k == 0, np.minimum(seconds + rng.integers(1800, 4 * 3600, n), 86_399), response_seconds)
    received_at = as_datetime(calendar, day_index, seconds)
    responded_at = as_datetime(calendar, response_day, response_seconds)
    # Answers are put on the portal in office hours, one to four working days after the answer.
    published_at = as_datetime(calendar, calendar.after_working_days(response_day, rng.integers(1, 5, n)),
                                day_seconds(rng, n, 0.0))
    publish = rng.random(n) < np.where(category == CATEGORIES.index("Khiếu nại"), 0.3, 0.88)
    return received_at, responded_at, published_at, publish


def _responders(rng: np.random.Generator, setup: FeedbackSetup, responding: np.ndarray) -> np.ndarray:
    """The title of who signed each answer (head or deputy of the answering unit, sometimes the department's deputy head)."""
    n, codes, types = len(responding), setup.codes, setup.types
    title_choice = rng.random(n) < 0.55
    # Specialised centres (TT_*) are affiliated units led by a director, not a principal.
    title_type = np.where(np.char.startswith(codes.astype(str), "TT_"), "gdnn_gdtx_centre", types)
    head = np.array([RESPONDER_TITLES[t][0] for t in title_type], dtype=object)
    deputy = np.array([RESPONDER_TITLES[t][1] for t in title_type], dtype=object)
    responder = np.where(title_choice, deputy[responding], head[responding])
    responder = np.where(codes[responding] == "SGD_VP", "Chánh Văn phòng", responder)
    responder = np.where(codes[responding] == "SGD_TTR", "Chánh Thanh tra", responder)
    responder = np.where(rng.random(n) < 0.03, "Phó Giám đốc Sở", responder)
    return responder


def _citizens(rng: np.random.Generator, setup: FeedbackSetup, channel: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Name, phone and e-mail as citizens left them (some anonymous, some +84, e-mail mostly by the e-mail channel)."""
    n = len(channel)
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
    return name, phone, email


def _content(rng: np.random.Generator, setup: FeedbackSetup, registry: pl.DataFrame, tickets: _Received,
             phone: np.ndarray, email: np.ndarray) -> np.ndarray:
    """The citizen's text, from the category's templates, about a school of the area; sometimes with their contact."""
    n, types, assigned, category = len(tickets.day_of), setup.types, tickets.assigned, tickets.category
    day_of = tickets.day_of
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
    slots = date_slots(day_of).hstack(pl.DataFrame({
        "school": school.astype(str), "area": areas[area_unit].astype(str),
        "old_year": rng.integers(1995, 2020, n).astype(str),
        "entry": entry, "grade": grade.astype(str),
        "subject": np.asarray(SUBJECTS)[rng.integers(0, 3, n)], "fee": np.asarray(FEES)[rng.integers(0, len(FEES), n)],
    }))
    content = render_templates(templates, which, slots).to_numpy().astype(object)
    # Citizens leave their contact in the text too; ingestion masks it.
    contact = rng.random(n)
    content = np.where((contact < 0.12) & (phone != ""), content + " Xin liên hệ " + phone.astype(object) + ".", content)
    content = np.where((contact > 0.93) & (email != ""), content + " Mong nhận phản hồi qua email " + email.astype(object) + ".",
                       content)
    return content


def _export_rows(frame: pl.DataFrame, year: int, first_number: int) -> pl.DataFrame:
    """The columns of the feedback system's export; tickets numbered through the year."""
    stamp = "%Y-%m-%d %H:%M:%S"
    return frame.select(
        # Ticket numbers run through the year: a quarter continues where the previous one stopped.
        pl.format("PA-{}-{}", pl.lit(year), pl.int_range(first_number, first_number + pl.len()).cast(pl.Utf8)
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


def feedback_quarter(seed: int, setup: FeedbackSetup, registry: pl.DataFrame, calendar: WorkingCalendar, quarter: int,
                     first_number: int) -> tuple[pl.DataFrame, dict]:
    """Tickets received in one quarter (index into QUARTERS), as the feedback system exports them at the end of the data."""
    rng = stream_rng(seed, "feedback", quarter + 1)
    tickets = _received(rng, setup, calendar, quarter)
    n, codes, category = len(tickets.day_of), setup.codes, tickets.category
    k = _working_days_to_answer(rng, setup, tickets)
    forwarded, forward_at, k, responding = _forwarding(rng, setup, calendar, tickets, k)
    received_at, responded_at, published_at, publish = _answer_times(rng, calendar, tickets, k)

    answered = (responded_at <= AS_OF).to_numpy()
    was_forwarded = forwarded & (forward_at <= AS_OF).to_numpy()
    published = answered & publish & (published_at <= AS_OF).to_numpy()
    closed = published & ((responded_at + dt.timedelta(days=20)) < AS_OF).to_numpy() & (rng.random(n) < 0.6)
    status = np.where(answered, np.where(closed, "Đã đóng", "Đã trả lời"), np.where(was_forwarded, "Đã chuyển", "Đang xử lý"))
    responder = _responders(rng, setup, responding)
    name, phone, email = _citizens(rng, setup, tickets.channel)
    content = _content(rng, setup, registry, tickets, phone, email)

    frame = pl.DataFrame({
        "received_at": received_at, "channel": np.asarray([c for c, _ in CHANNELS])[tickets.channel],
        "category": np.asarray(CATEGORIES)[category], "name": name.astype(str), "phone": phone.astype(str),
        "email": email.astype(str), "content": content.astype(str), "assigned": codes[tickets.assigned],
        "forwarded_at": forward_at, "forwarded": was_forwarded,
        "responding": codes[responding], "responded_at": responded_at, "answered": answered,
        "responder": responder.astype(str), "published_at": published_at, "published": published, "status": status,
    }).with_row_index("_seq").sort(["received_at", "_seq"])
    notes = {"open_tickets": int((status == "Đang xử lý").sum()), "forwarded_tickets": int(was_forwarded.sum())}
    return _export_rows(frame, QUARTERS[quarter][0].year, first_number), notes



def write_feedback(out_dir: Path, config: Preset, seed: int, registry: pl.DataFrame, calendar: WorkingCalendar,
                    files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """One export per quarter (UTF-8 with BOM), generated quarter by quarter to bound memory."""
    (out_dir / "feedback").mkdir(parents=True, exist_ok=True)
    setup = feedback_setup(seed, config, registry, calendar)
    next_number: dict[int, int] = {}
    totals = {"open_tickets": 0, "forwarded_tickets": 0}
    rows["feedback_tickets"] = 0
    for quarter, (q_start, _) in enumerate(QUARTERS):
        tickets, notes = feedback_quarter(seed, setup, registry, calendar, quarter, next_number.get(q_start.year, 1))
        next_number[q_start.year] = next_number.get(q_start.year, 1) + tickets.height
        path = out_dir / "feedback" / f"phan_anh_{quarter_label(q_start)}.csv"
        write_csv(tickets.select(FEEDBACK_COLUMNS), path, bom=True)
        files["feedback"].append(path.relative_to(out_dir).as_posix())
        rows["feedback_tickets"] += tickets.height
        totals = {key: totals[key] + notes[key] for key in totals}
    return totals
