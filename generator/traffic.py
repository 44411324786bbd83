"""The rhythm of traffic per day: months, weekdays, Tết and holidays, admission and exam spikes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from generator.calendar import TET_WINDOWS, WorkingCalendar
from generator.draws import stream_rng
from generator.presets import DATE_FROM, N_DAYS

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


def build_traffic(seed: int, calendar: WorkingCalendar) -> Traffic:
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

    noise = stream_rng(seed, "traffic").lognormal(0.0, 0.06, size=(2, N_DAYS))
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
