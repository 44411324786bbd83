"""Social-listening mention exports (CSV or XLSX) -> raw.listening_mentions; authors only as HMAC, contacts masked."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import LISTENING_MENTIONS
from ingestion.mappings import Mapping
from ingestion.pseudonymise import mask_contacts_sql, normalise_name
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem, raw_name, shown_value


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    url = pl.col(raw_name("url"))
    # Monitoring tools differ only in surrounding spaces and a trailing slash: one link, one mention downstream.
    frame = frame.with_columns(
        normalise_name(pl.col(raw_name("author"))).alias("_name_norm"),
        url.str.strip_chars().str.replace(r"/+$", "").alias("url_clean"),
    )
    shown = shown_value(LISTENING_MENTIONS.field_by_name["url"], url)
    problems = [
        Problem("url", url.is_not_null() & ~pl.col("url_clean").str.contains(r"^https?://\S+$"),
                pl.format("url '{}' is not a link (http:// or https:// followed by no spaces)", shown), shown),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=LISTENING_MENTIONS,
    patterns=("listening/*.csv", "listening/*.xlsx"),
    rules=rules,
    table_select=f"""
        mention_date, mention_time, {mask_contacts_sql('headline')}, url_clean, {mask_contacts_sql('opening_text')},
        {mask_contacts_sql('hit_sentence')}, source_name, source_type, hmac_key(_name_norm), language, reach, engagement,
        sentiment, {mask_contacts_sql('keywords')}, _raw_source_type
    """,
    needs_key=True,
)
