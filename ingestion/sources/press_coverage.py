"""Press review: articles about the sector and their tone (CSV or XLSX) -> raw.press_coverage."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import PRESS_COVERAGE
from ingestion.mappings import Mapping
from ingestion.tabular import RunContext, TabularSource
from ingestion.validation import Problem, raw_name

# Codes of the plan's appendix: a Roman area number and an item number (I.1, II.5, V.2).
PLAN_ITEM = r"^[IVX]+\.\d+$"


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    url = pl.col(raw_name("url"))
    item = pl.col(raw_name("plan_item"))
    frame = frame.with_columns(pl.col("url").str.strip_chars(), pl.col("plan_item").str.strip_chars().str.to_uppercase())
    problems = [
        Problem("url", url.is_not_null() & ~pl.col("url").str.contains(r"^https?://\S+$"),
                pl.format("url '{}' is not a web address; write it as it is in the browser, starting with http:// or "
                          "https://", url), url),
        Problem("plan_item", item.is_not_null() & ~pl.col("plan_item").str.contains(PLAN_ITEM),
                pl.format("plan_item '{}' is not an item code of the plan's appendix; write it as I.1, II.5, V.2 or "
                          "leave it empty", item), item),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=PRESS_COVERAGE,
    patterns=("press/coverage*.csv", "press/coverage*.xlsx"),
    rules=rules,
    table_select="article_date, outlet, url, title, tone, plan_item",
)
