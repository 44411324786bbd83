"""What the social sources share: the export date carried in a file's name, and post links to the portal."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from ingestion.mappings import Mapping, RejectedFileError
from ingestion.readers import MappedRows, read_mapped

# 2025-07-15, 20250715 or 15-07-2025 in the name; the last date in the name is the export date (Business Suite names
# files after the range they cover, e.g. Jul-01-2025_Sep-30-2025_...: such a file must be renamed with its export date).
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def export_date(file_label: str) -> dt.date | None:
    name = file_label.rsplit("/", 1)[-1]
    for year, month, day in reversed(_DATE_IN_NAME.findall(name)):
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


def read_dated_export(path: Path, file_label: str, mappings: tuple[Mapping, ...]) -> MappedRows:
    """read_mapped, after checking that the file's name says the day it was exported (the counts in it are as of that
    day, and of two exports listing the same post the later one wins)."""
    exported = export_date(file_label)
    if exported is None:
        raise RejectedFileError(
            f"{file_label}: the file name carries no export date. The counts in an export are as of the day it was taken, "
            "and a later export of the same posts replaces an earlier one, so the name must end with the export date, "
            "e.g. posts_2025-07-15.csv or posts_20250715.csv; rename the file and load again."
        )
    mapped = read_mapped(path, file_label, mappings)
    mapped.frame = mapped.frame.with_columns(pl.lit(exported, pl.Date).alias("exported_on"))
    return mapped


def published_after_export(field_label: str, raw_column: str) -> tuple[pl.Expr, pl.Expr]:
    """(failed, reason) for a publication time later than the export that lists it."""
    failed = pl.col("published_at").dt.date() > pl.col("exported_on")
    reason = pl.format("{} '{}' is after the export date {} (from the file name): a post cannot be published after the "
                       "export that lists it; check the file name's date or the time zone of the export", pl.lit(field_label),
                       pl.col(raw_column), pl.col("exported_on").dt.strftime("%Y-%m-%d"))
    return failed, reason
