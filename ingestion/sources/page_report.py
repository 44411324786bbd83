"""Aggregated page reports (GA4 Data API or Matomo CSV), per day or per period -> raw.page_report_rows."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import PAGE_REPORT_ROWS
from ingestion.mappings import Mapping
from ingestion.pseudonymise import mask_contacts_in_url_sql, mask_contacts_sql
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem, raw_name, shown_value

HOST_PATTERN = r"^[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+$"


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    raw_host = pl.col(raw_name("host"))
    # Some tools write the site as a URL: the host name is what is kept (documented in docs/data-contracts.md).
    frame = frame.with_columns(
        raw_host.str.to_lowercase().str.replace(r"^[a-z][a-z0-9+.\-]*://", "").str.replace(r"/.*$", "").alias("host")
    )
    shown = shown_value(PAGE_REPORT_ROWS.field_by_name["host"], raw_host)
    # A row is for one day (report_date) or for a period (period_start..period_end, e.g. a 30-day report): a period is
    # kept whole, never stamped on one of its days. A one-day row has period_start = period_end = report_date.
    day, start, end = pl.col("report_date"), pl.col("period_start"), pl.col("period_end")
    raw_day, raw_start, raw_end = (pl.col(raw_name(f)) for f in ("report_date", "period_start", "period_end"))
    frame = frame.with_columns(
        pl.coalesce(start, day).alias("period_start"),
        pl.coalesce(end, day).alias("period_end"),
        # the duplicate rule shows the period as sent, whichever way the row gives it
        pl.coalesce(raw_start, raw_day).alias(raw_name("period_start")),
        pl.coalesce(raw_end, raw_day).alias(raw_name("period_end")),
    )
    fields = PAGE_REPORT_ROWS.field_by_name
    shown_start = shown_value(fields["period_start"], pl.col(raw_name("period_start")))
    shown_end = shown_value(fields["period_end"], pl.col(raw_name("period_end")))
    problems = [
        Problem(
            "host", raw_host.is_not_null() & ~pl.col("host").str.contains(HOST_PATTERN),
            pl.format("host '{}' is not a host name; expected e.g. pgdquan1.hcm.edu.vn", shown), shown,
        ),
        Problem(
            "report_date", raw_day.is_null() & (raw_start.is_null() | raw_end.is_null()),
            pl.lit("report_date is empty; a row needs the day its figures are for, or period_start and period_end"),
            pl.lit(None, pl.String),
        ),
        Problem(
            "period_end", pl.col("period_end") < pl.col("period_start"),
            pl.format("period_end '{}' is before period_start '{}'", shown_end, shown_start), shown_end,
        ),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=PAGE_REPORT_ROWS,
    patterns=("analytics/page_reports/*.csv", "analytics/page_reports/*.xlsx"),
    rules=rules,
    table_select=f"""
        case when period_start = period_end then period_start end, host, {mask_contacts_in_url_sql("page_path")},
        {mask_contacts_sql("page_title")}, pageviews, users, sessions, engagement_seconds, period_start, period_end
    """,
)
