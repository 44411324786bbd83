"""Sample register of the divisions' monthly reports on issues of public concern (plan IV.2), seeded and deterministic.

Each division valid in a month reports on it early the next month: most by the fifth working day, some late, a few not at
all; a few send a corrected report later. Divisions and their names come from the unit registry; the register is saved
once a year (the last one at the data's end, so months whose deadline has not passed are not in it).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from generator.calendar import WorkingCalendar
from generator.presets import AS_OF, DATE_FROM, DATE_TO
from generator.writers import write_csv

_STREAM = 204
DIVISION_TYPE = "department_division"
DEADLINE_WORKING_DAY = 5
MISSING_SHARE, LATE_SHARE, CORRECTED_SHARE = 0.06, 0.16, 0.05
COLUMNS = {"unit": "Phòng", "month": "Tháng", "submitted_at": "Ngày nộp", "issues": "Số vấn đề"}


def _months() -> list[dt.date]:
    months, month = [], DATE_FROM.replace(day=1)
    while month <= DATE_TO:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _submissions(seed: int, divisions: pl.DataFrame, calendar: WorkingCalendar) -> list[dict]:
    rng = np.random.default_rng([seed, _STREAM])
    records = []
    for month in _months():
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        start = calendar.index(next_month) - 1  # the last day of the month: 1 working day after = the first of the next
        valid = divisions.filter((pl.col("valid_from") <= next_month - dt.timedelta(days=1))
                                 & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= month)))
        for unit in valid.iter_rows(named=True):
            draw = rng.random()
            if draw < MISSING_SHARE:
                continue
            working = (int(rng.integers(DEADLINE_WORKING_DAY + 1, DEADLINE_WORKING_DAY + 9)) if draw < MISSING_SHARE + LATE_SHARE
                       else int(rng.integers(1, DEADLINE_WORKING_DAY + 1)))
            day_index = int(calendar.after_working_days(np.array([start]), np.array([working]))[0])
            submitted = dt.datetime.combine(calendar.first + dt.timedelta(days=day_index), dt.time(8)) + dt.timedelta(
                minutes=int(rng.integers(0, 9 * 60)))
            name = unit["unit_name"] if rng.random() < 0.7 else unit["unit_code"]
            issues = int(rng.poisson(2.0))
            records.append({"unit": name, "month": month, "submitted_at": submitted, "issues": issues})
            if rng.random() < CORRECTED_SHARE:
                records.append({"unit": name, "month": month, "submitted_at": submitted + dt.timedelta(days=3),
                                "issues": issues + 1})
    return [r for r in records if r["submitted_at"] <= AS_OF]


def write_monthly_reports(out_dir: Path, seed: int, registry: pl.DataFrame, calendar: WorkingCalendar,
                          files: dict[str, list[str]], rows: dict[str, int]) -> dict:
    """One register file per year of submission."""
    folder = out_dir / "monthly_reports"
    folder.mkdir(parents=True, exist_ok=True)
    files.setdefault("monthly_reports", [])
    divisions = registry.filter(pl.col("unit_type") == DIVISION_TYPE).sort("unit_code")
    records = sorted(_submissions(seed, divisions, calendar), key=lambda r: (r["submitted_at"], r["unit"]))
    rows["monthly_report_rows"] = len(records)
    for year in sorted({r["submitted_at"].year for r in records}):
        part = [r for r in records if r["submitted_at"].year == year]
        frame = pl.DataFrame({
            COLUMNS["unit"]: [r["unit"] for r in part],
            COLUMNS["month"]: [f"{r['month']:%m/%Y}" for r in part],
            COLUMNS["submitted_at"]: [f"{r['submitted_at']:%d/%m/%Y %H:%M}" for r in part],
            COLUMNS["issues"]: [r["issues"] for r in part],
        })
        path = folder / f"bao_cao_thang_{year}.csv"
        write_csv(frame, path, bom=True)
        files["monthly_reports"].append(path.relative_to(out_dir).as_posix())
    return {"monthly_report_divisions": divisions.height}
