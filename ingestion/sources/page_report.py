"""Aggregated daily page reports (GA4 Data API or Matomo CSV) -> raw.page_report_rows."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import PAGE_REPORT_ROWS
from ingestion.mappings import Mapping
from ingestion.pseudonymise import mask_contacts_sql
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
    problems = [
        Problem(
            "host", raw_host.is_not_null() & ~pl.col("host").str.contains(HOST_PATTERN),
            pl.format("host '{}' is not a host name; expected e.g. pgdquan1.hcm.edu.vn", shown), shown,
        ),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=PAGE_REPORT_ROWS,
    patterns=("analytics/page_reports/*.csv", "analytics/page_reports/*.xlsx"),
    rules=rules,
    table_select=f"""
        report_date, host, {mask_contacts_sql("page_path")}, {mask_contacts_sql("page_title")}, pageviews, users, sessions,
        engagement_seconds
    """,
)
