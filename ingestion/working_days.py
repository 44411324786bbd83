"""Viet Nam's working-day calendar for every year of the data, written into raw.calendar_days from the `holidays` package.

Computed in Python at ingestion time (not in a dbt Python model) so that the dbt project stays plain SQL and builds on
any adapter. The range follows the data: from 1 January of the earliest year any raw table holds (or of this year) to
31 December of next year (or of the latest year in the data), so open tickets age and deadlines fall in the calendar.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import holidays
import polars as pl

from ingestion.contracts import CALENDAR_COLUMNS, CALENDAR_TABLE, CONTRACTS, LINEAGE_COLUMNS
from edukpi.settings import Settings
from ingestion.build_db import connect

# Older releases lack the 2024/2025 day swaps (make-up Saturdays 2024-05-04 and 2025-04-26).
MIN_HOLIDAYS_VERSION = (0, 106)
COUNTRY = "VN"
# Lineage columns are not dates of the data (loaded_at is when the load ran).
_LINEAGE = {name for name, _ in LINEAGE_COLUMNS}


@dataclass
class CalendarReport:
    first_day: dt.date
    last_day: dt.date
    days: int
    working_days: int
    earliest_data_day: dt.date | None
    latest_data_day: dt.date | None
    years_without_holidays: list[int] = field(default_factory=list)

    @property
    def warning(self) -> str | None:
        if not self.years_without_holidays:
            return None
        years = ", ".join(str(y) for y in self.years_without_holidays)
        return (f"the holidays package ({holidays.__version__}) has no Vietnamese holidays for {years}: those years count "
                "weekends only as days off (holidays_known = false in raw.calendar_days); working days across them may be "
                "too many. Upgrade holidays (make install) if a newer release covers them.")


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


def check_holidays_version() -> None:
    if _version_tuple(holidays.__version__) < MIN_HOLIDAYS_VERSION:
        raise RuntimeError(
            f"holidays {holidays.__version__} is installed; the working-day calendar needs holidays >= 0.106 "
            "(it has the 2024-2025 swapped days off and make-up Saturdays). Run `make install`."
        )


def known_years(first_year: int, last_year: int) -> tuple[list[int], list[int]]:
    """(years the holidays package has Viet Nam's rules for, years it has not) within first_year..last_year."""
    country = holidays.country_holidays(COUNTRY, years=[])
    years = range(first_year, last_year + 1)
    return ([y for y in years if country.start_year <= y <= country.end_year],
            [y for y in years if not country.start_year <= y <= country.end_year])


def calendar_days(first_day: dt.date, last_day: dt.date) -> tuple[pl.DataFrame, list[int]]:
    """One row per day of first_day..last_day (the columns of raw.calendar_days) and the years without holiday rules."""
    check_holidays_version()
    known, unknown = known_years(first_day.year, last_day.year)
    viet_nam = holidays.country_holidays(COUNTRY, years=known, language="vi")
    rows: dict[str, list] = {name: [] for name, _ in CALENDAR_COLUMNS}
    day = first_day
    while day <= last_day:
        has_rules = day.year not in unknown
        is_weekend = day.weekday() in viet_nam.weekend
        rows["date"].append(day)
        rows["is_weekend"].append(is_weekend)
        rows["is_holiday"].append(has_rules and day in viet_nam)
        rows["holiday_name"].append(viet_nam.get(day) if has_rules else None)
        # True for make-up Saturdays (weekend_workdays), False for holidays and their swapped days off.
        rows["is_working_day"].append(viet_nam.is_working_day(day) if has_rules else not is_weekend)
        rows["holidays_known"].append(has_rules)
        day += dt.timedelta(days=1)
    schema = {"date": pl.Date, "holiday_name": pl.String} | {
        name: pl.Boolean for name, sql_type in CALENDAR_COLUMNS if sql_type == "BOOLEAN"}
    return pl.DataFrame(rows, schema=schema), unknown


def data_day_range(con) -> tuple[dt.date | None, dt.date | None]:
    """Earliest and latest day of any date or time column of any raw table (lineage columns aside)."""
    parts = []
    for contract in CONTRACTS.values():
        for name, sql_type in contract.columns:
            if sql_type in ("DATE", "TIMESTAMP") and name not in _LINEAGE:
                parts.append(f'select min("{name}")::date as first, max("{name}")::date as last from {contract.qualified_table}')
    first, last = con.execute(f"select min(first), max(last) from ({' union all '.join(parts)})").fetchone()
    return first, last


def write_calendar(settings: Settings) -> CalendarReport:
    """Replace raw.calendar_days with the calendar of every year of the data, this year and next year (one transaction)."""
    check_holidays_version()
    con = connect(settings.build_db)
    try:
        earliest, latest = data_day_range(con)
        today = settings.local_today()
        first_day = dt.date(min(earliest.year if earliest else today.year, today.year), 1, 1)
        last_day = dt.date(max(latest.year if latest else today.year, today.year + 1), 12, 31)
        frame, unknown = calendar_days(first_day, last_day)
        con.begin()
        con.execute(f"delete from {CALENDAR_TABLE}")
        con.register("_calendar_frame", frame)
        columns = ", ".join(f'"{name}"' for name, _ in CALENDAR_COLUMNS)
        con.execute(f"insert into {CALENDAR_TABLE} ({columns}) select {columns} from _calendar_frame order by date")
        con.unregister("_calendar_frame")
        con.commit()
    finally:
        con.close()
    return CalendarReport(first_day=first_day, last_day=last_day, days=frame.height,
                          working_days=int(frame["is_working_day"].sum()), earliest_data_day=earliest,
                          latest_data_day=latest, years_without_holidays=unknown)
