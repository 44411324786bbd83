"""Vietnam's working days (holidays.VN), slow seasons, and times of day of office work."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays
import numpy as np
import polars as pl

TET_WINDOWS = ((dt.date(2024, 2, 8), dt.date(2024, 2, 14)), (dt.date(2025, 1, 25), dt.date(2025, 2, 2)))
# Around the Reunification Day / Labour Day break people answer more slowly (the make-up Saturdays are in `holidays`).
SPRING_BREAKS = ((dt.date(2024, 4, 22), dt.date(2024, 5, 5)), (dt.date(2025, 4, 21), dt.date(2025, 5, 4)))


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


def day_seconds(rng: np.random.Generator, n: int, evening_share: float) -> np.ndarray:
    office = rng.integers(7 * 3600 + 1800, 17 * 3600 + 1800, n)
    evening = rng.integers(18 * 3600, 23 * 3600, n)
    return np.where(rng.random(n) < evening_share, evening, office)


def as_datetime(calendar: WorkingCalendar, day_index: np.ndarray, seconds: np.ndarray) -> pl.Series:
    base = np.datetime64(calendar.first, "s")
    return pl.Series((base + day_index.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")).astype("datetime64[us]"))
