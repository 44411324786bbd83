"""Press conferences, seminars, talks and livestreams held (CSV or XLSX) -> raw.press_events."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import PRESS_EVENTS
from ingestion.mappings import Mapping
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    return frame, []


SOURCE = TabularSource(
    contract=PRESS_EVENTS,
    patterns=("press/events*.csv", "press/events*.xlsx"),
    rules=rules,
    table_select="event_date, event_type, title, led_by_title, attendance",
)
