"""Viet Nam's day-by-day calendar 2023–2026 from the `holidays` package (holidays, swapped days off, make-up Saturdays)."""
import datetime as dt

import holidays
import pyarrow as pa

FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
# Older releases lack the 2024/2025 day swaps (make-up Saturdays 2024-05-04 and 2025-04-26).
MIN_HOLIDAYS_VERSION = (0, 106)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


def model(dbt, session):
    dbt.config(materialized="table")

    if _version_tuple(holidays.__version__) < MIN_HOLIDAYS_VERSION:
        raise RuntimeError(
            f"holidays {holidays.__version__} is installed; the working-day calendar needs holidays >= 0.106 "
            "(it has the 2024-2025 swapped days off and make-up Saturdays). Run `make install`."
        )

    viet_nam = holidays.VN(years=range(FIRST_DAY.year, LAST_DAY.year + 1), language="vi")

    days, is_weekend, is_holiday, holiday_name, is_working_day = [], [], [], [], []
    day = FIRST_DAY
    while day <= LAST_DAY:
        days.append(day)
        is_weekend.append(day.weekday() in viet_nam.weekend)
        is_holiday.append(day in viet_nam)
        holiday_name.append(viet_nam.get(day))
        # True for make-up Saturdays (weekend_workdays), False for holidays and their swapped days off.
        is_working_day.append(viet_nam.is_working_day(day))
        day += dt.timedelta(days=1)

    return pa.table(
        {
            "date": pa.array(days, type=pa.date32()),
            "is_weekend": pa.array(is_weekend, type=pa.bool_()),
            "is_holiday": pa.array(is_holiday, type=pa.bool_()),
            "holiday_name": pa.array(holiday_name, type=pa.string()),
            "is_working_day": pa.array(is_working_day, type=pa.bool_()),
        }
    )
