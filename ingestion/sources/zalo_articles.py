"""Zalo OA articles (the OA admin's article list, CSV or XLSX) -> raw.zalo_articles, one row per article per export."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import ZALO_ARTICLES
from ingestion.mappings import Mapping
from ingestion.pseudonymise import mask_contacts_sql
from ingestion.sources.social_exports import published_after_export, read_dated_export
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem, raw_name


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    failed, reason = published_after_export("published_at", raw_name("published_at"))
    return frame, [Problem("published_at", failed, reason, pl.col(raw_name("published_at")))]


SOURCE = TabularSource(
    contract=ZALO_ARTICLES,
    patterns=("zalo/articles/*.csv", "zalo/articles/*.xlsx"),
    rules=rules,
    reader=read_dated_export,
    table_select=f"article_id, {mask_contacts_sql('title')}, article_type, published_at, total_view, total_share, exported_on",
)
