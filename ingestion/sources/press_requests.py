"""Press requests and the answers given (register of the department office, CSV or XLSX) -> raw.press_requests."""
from __future__ import annotations

import polars as pl

from edukpi.settings import UNIT_REGISTRY_FILE
from ingestion.contracts import PRESS_REQUESTS
from ingestion.mappings import Mapping
from ingestion.pseudonymise import normalise_name
from ingestion.tabular import RunContext, TabularSource
from ingestion.units import load_registry, lookup_table, match_units, unmatched_reason
from ingestion.validation import Problem, not_before, raw_name, required_when


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    fields = PRESS_REQUESTS.field_by_name
    lookup = context.get("unit_lookup", lambda: lookup_table(load_registry(context.unit_registry_csv)))
    frame = match_units(frame, raw_name("assigned_unit_code"), lookup, "assigned")
    frame = frame.with_columns(normalise_name(pl.col(raw_name("journalist"))).alias("_journalist_norm"))
    reason = unmatched_reason(raw_name("assigned_unit_code"), "assigned_candidates", context.unit_registry_csv)
    problems = [
        Problem("assigned_unit_code", reason.is_not_null(), reason, pl.col(raw_name("assigned_unit_code"))),
        not_before("answered_at", "received_at", "answered before it was received", fields),
        # Who answered is what the plan asks about (the right title answers the press): an answer without it is incomplete.
        required_when("answered_by_title", pl.col("answered_at").is_not_null(), "answered_at is given"),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=PRESS_REQUESTS,
    patterns=("press/requests*.csv", "press/requests*.xlsx", "press/requests*.xlsm"),
    rules=rules,
    reference_files=(UNIT_REGISTRY_FILE,),
    table_select="""
        request_id, outlet, hmac_key(_journalist_norm), received_at, topic, urgency, assigned_code, answered_at,
        answered_by_title, answer_channel
    """,
    needs_key=True,
)
