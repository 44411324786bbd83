"""Moderation log of comments on the fanpage and the OA (CSV or XLSX) -> raw.moderation_log; commenters only as HMAC."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import MODERATION_LOG
from ingestion.mappings import Mapping
from ingestion.pseudonymise import mask_contacts_sql, normalise_name
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem, not_before, raw_name, required_when


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    fields = MODERATION_LOG.field_by_name
    frame = frame.with_columns(normalise_name(pl.col(raw_name("commenter_name"))).alias("_name_norm"))
    acted = pl.col("action").is_not_null()
    problems = [
        required_when("action_at", acted, "an action is given"),
        not_before("action_at", "flagged_at", "acted on before it was flagged", fields),
        Problem("action", pl.col("action").is_null() & pl.col("action_at").is_not_null(),
                pl.lit("action is empty but action_at is given: write what was done (hidden, deleted, answered, kept)"),
                pl.lit(None, pl.String)),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=MODERATION_LOG,
    patterns=("moderation/*.csv", "moderation/*.xlsx"),
    rules=rules,
    table_select=f"""
        comment_id, channel, flagged_at, action, action_at, {mask_contacts_sql('reason_category')}, hmac_key(_name_norm)
    """,
    needs_key=True,
)
