"""Zalo OA daily follower snapshots (CSV or XLSX) -> raw.zalo_followers."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import ZALO_FOLLOWERS
from ingestion.mappings import Mapping
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    return frame, []


SOURCE = TabularSource(
    contract=ZALO_FOLLOWERS,
    patterns=("zalo/followers/*.csv", "zalo/followers/*.xlsx"),
    rules=rules,
    table_select="snapshot_date, num_follower",
)
