"""Register of the divisions' monthly reports on issues of public concern (CSV or XLSX) -> raw.monthly_reports."""
from __future__ import annotations

import polars as pl

from edukpi.settings import UNIT_REGISTRY_FILE
from ingestion.contracts import MONTHLY_REPORTS
from ingestion.mappings import Mapping
from ingestion.tabular import RunContext, TabularSource
from ingestion.units import load_registry, lookup_table, match_units, unmatched_reason
from ingestion.validation import Problem, raw_name

REPORTING_UNIT_TYPE = "department_division"
_MONTH_PATTERNS = (  # (regex with groups month, year | year, month; which group is the year)
    (r"^(?:tháng\s*)?(\d{1,2})\s*[/.-]\s*(\d{4})$", 2),
    (r"^(\d{4})\s*[/.-]\s*(\d{1,2})$", 1),
)


def _month_start(raw: pl.Expr) -> pl.Expr:
    text = raw.str.strip_chars().str.to_lowercase()
    parsed = []
    for pattern, year_group in _MONTH_PATTERNS:
        month_group = 3 - year_group
        year = text.str.extract(pattern, year_group).cast(pl.Int32, strict=False)
        month = text.str.extract(pattern, month_group).cast(pl.Int32, strict=False)
        valid = month.is_between(1, 12) & year.is_between(2000, 2100)
        parsed.append(pl.when(valid).then(pl.date(year, month, 1)))
    return pl.coalesce(parsed)


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    registry = context.get("unit_registry", lambda: load_registry(context.unit_registry_csv))
    lookup = context.get("unit_lookup", lambda: lookup_table(registry))
    unit = pl.col(raw_name("unit_as_sent"))
    frame = match_units(frame, raw_name("unit_as_sent"), lookup, "reporting")
    frame = frame.join(registry.select(pl.col("unit_code").alias("reporting_code"), pl.col("unit_type").alias("_unit_type")),
                       on="reporting_code", how="left", maintain_order="left")
    month_raw = pl.col(raw_name("report_month"))
    frame = frame.with_columns(_month_start(month_raw).alias("report_month_start"))
    reason = unmatched_reason(raw_name("unit_as_sent"), "reporting_candidates", context.unit_registry_csv)
    problems = [
        Problem("unit_as_sent", reason.is_not_null(), reason, unit),
        Problem("unit_as_sent", pl.col("_unit_type").is_not_null() & (pl.col("_unit_type") != REPORTING_UNIT_TYPE),
                pl.format("unit '{}' ({}) is a {}, not a division of the department (unit type {}): only divisions send "
                          "this monthly report", unit, pl.col("reporting_code"), pl.col("_unit_type"),
                          pl.lit(REPORTING_UNIT_TYPE)), unit),
        Problem("report_month", month_raw.is_not_null() & pl.col("report_month_start").is_null(),
                pl.format("report_month '{}' is not a month: write MM/YYYY (05/2025), YYYY-MM (2025-05) or Tháng 5/2025",
                          month_raw), month_raw),
        Problem("submitted_at", pl.col("submitted_at").dt.date() < pl.col("report_month_start"),
                pl.format("submitted_at '{}' is before the month reported on ({}) began: check the month or the date",
                          pl.col(raw_name("submitted_at")), month_raw), pl.col(raw_name("submitted_at"))),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=MONTHLY_REPORTS,
    patterns=("monthly_reports/*.csv", "monthly_reports/*.xlsx"),
    rules=rules,
    reference_files=(UNIT_REGISTRY_FILE,),
    table_select="reporting_code, _raw_unit_as_sent, report_month_start, submitted_at, issues_count",
)
