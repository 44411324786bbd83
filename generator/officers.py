"""Sample roster of communication officers (plan IV.3), seeded and deterministic.

Units that must name an officer do so some weeks after the plan came out, a few late or never; some replace their
officer later, back to back or after a gap. The roster is drawn up twice; the later one lists the earlier assignments
again, with the end dates known by then. Its own random stream, so no other source's files change.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from generator.people import invented_people
from generator.presets import DATE_TO
from generator.writers import write_csv

_STREAM = 202
PLAN_ISSUED = dt.date(2024, 5, 15)
NEVER_SHARE, CHANGE_SHARE = 0.08, 0.25
ROSTER_DAYS = (dt.date(2024, 12, 31), DATE_TO)
REQUIRED_TYPES = ("district_office", "affiliated_unit", "gdnn_gdtx_centre")
COLUMNS = {"unit_code": "Đơn vị", "officer": "Cán bộ phụ trách truyền thông", "valid_from": "Từ ngày",
           "valid_to": "Đến ngày"}


def build_assignments(seed: int, registry: pl.DataFrame) -> pl.DataFrame:
    """(unit_code, officer, valid_from, valid_to): the first officer of most units, and a replacement for some."""
    units = sorted(registry.filter(pl.col("unit_type").is_in(REQUIRED_TYPES))["unit_code"].to_list())
    rng = np.random.default_rng([seed, _STREAM])
    n = len(units)
    people = invented_people(rng, 2 * n)["name"].to_list()
    named = rng.random(n) >= NEVER_SHARE
    first_day = rng.integers(0, 140, n)
    changes = rng.random(n) < CHANGE_SHARE
    change_day = rng.integers(160, 380, n)
    gap = np.where(rng.random(n) < 0.5, 0, rng.integers(5, 60, n))
    rows = []
    for i, unit in enumerate(units):
        if not named[i]:
            continue
        start = PLAN_ISSUED + dt.timedelta(days=int(first_day[i]))
        end = None
        if changes[i]:
            end = PLAN_ISSUED + dt.timedelta(days=int(change_day[i]))
            rows.append((unit, people[n + i], end + dt.timedelta(days=int(gap[i]) + 1), None))
        rows.append((unit, people[i], start, end))
    frame = pl.DataFrame(rows, schema={"unit_code": pl.Utf8, "officer": pl.Utf8, "valid_from": pl.Date,
                                       "valid_to": pl.Date}, orient="row")
    return frame.filter(pl.col("valid_from") <= DATE_TO).sort("unit_code", "valid_from")


def write_officers(out_dir: Path, seed: int, registry: pl.DataFrame, files: dict[str, list[str]],
                   rows: dict[str, int]) -> dict:
    """officers/can_bo_truyen_thong_<day>.csv: the roster as drawn up on each day (what was known then)."""
    folder = out_dir / "officers"
    folder.mkdir(parents=True, exist_ok=True)
    files.setdefault("officers", [])
    assignments = build_assignments(seed, registry)
    rows["officer_assignments"] = assignments.height
    for day in ROSTER_DAYS:
        known = assignments.filter(pl.col("valid_from") <= day).with_columns(
            pl.when(pl.col("valid_to") <= day).then(pl.col("valid_to")).alias("valid_to"))
        text = known.with_columns(pl.col(c).dt.strftime("%d/%m/%Y") for c in ("valid_from", "valid_to"))
        path = folder / f"can_bo_truyen_thong_{day.isoformat()}.csv"
        write_csv(text.rename(COLUMNS), path, bom=True)
        files["officers"].append(path.relative_to(out_dir).as_posix())
    return {"officer_assignments": assignments.height,
            "units_never_named_officer": sorted(set(registry.filter(pl.col("unit_type").is_in(REQUIRED_TYPES))
                                                    ["unit_code"].to_list()) - set(assignments["unit_code"].to_list()))}
