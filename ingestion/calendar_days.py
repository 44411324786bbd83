"""Viet Nam's day-by-day working calendar from the `holidays` package, written to raw.calendar_days for dbt (any engine)."""
from __future__ import annotations

import datetime as dt

import duckdb
import holidays
import pyarrow as pa

FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
# Older releases lack the 2024/2025 day swaps (make-up Saturdays 2024-05-04 and 2025-04-26).
MIN_HOLIDAYS_VERSION = (0, 106)
CALENDAR_DAYS_COLUMNS = (
    ("date", "DATE"),
    ("is_weekend", "BOOLEAN"),
    ("is_holiday", "BOOLEAN"),
    ("holiday_name", "VARCHAR"),
    ("is_working_day", "BOOLEAN"),
)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


def calendar_days() -> pa.Table:
    """One row per day: weekend, holiday (and its Vietnamese name), working day (make-up Saturdays work, swapped days off don't)."""
    if _version_tuple(holidays.__version__) < MIN_HOLIDAYS_VERSION:
        raise RuntimeError(
            f"holidays {holidays.__version__} is installed; the working-day calendar needs holidays >= 0.106 "
            "(it has the 2024-2025 swapped days off and make-up Saturdays). Run `make install`."
        )
    viet_nam = holidays.VN(years=range(FIRST_DAY.year, LAST_DAY.year + 1), language="vi")
    days = [FIRST_DAY + dt.timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    return pa.table(
        {
            "date": pa.array(days, type=pa.date32()),
            "is_weekend": pa.array([day.weekday() in viet_nam.weekend for day in days], type=pa.bool_()),
            "is_holiday": pa.array([day in viet_nam for day in days], type=pa.bool_()),
            "holiday_name": pa.array([viet_nam.get(day) for day in days], type=pa.string()),
            "is_working_day": pa.array([viet_nam.is_working_day(day) for day in days], type=pa.bool_()),
        }
    )


def write_calendar_days(con: duckdb.DuckDBPyConnection) -> int:
    """Replace raw.calendar_days with the calendar (one transaction); returns the number of days."""
    days = calendar_days()
    con.execute("begin")
    con.execute("delete from raw.calendar_days")
    con.register("calendar_days_arrow", days)
    con.execute("insert into raw.calendar_days select * from calendar_days_arrow")
    con.unregister("calendar_days_arrow")
    con.execute("commit")
    return days.num_rows
