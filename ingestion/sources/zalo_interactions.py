"""Zalo OA daily interactions from the admin's 'Thống kê' page (CSV or XLSX) -> raw.zalo_interactions."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import ZALO_INTERACTIONS
from ingestion.mappings import Mapping
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    return frame, []


SOURCE = TabularSource(
    contract=ZALO_INTERACTIONS,
    patterns=("zalo/interactions/*.csv", "zalo/interactions/*.xlsx"),
    rules=rules,
    table_select="interaction_date, new_followers, unfollows, messages_received, messages_answered",
)
