"""The press office's log of communication incidents (CSV) -> raw.incidents; the lead unit matched to the registry."""
from __future__ import annotations

import polars as pl

from edukpi.settings import UNIT_REGISTRY_FILE
from ingestion.contracts import INCIDENTS
from ingestion.mappings import Mapping
from ingestion.pseudonymise import mask_contacts_sql
from ingestion.tabular import RunContext, TabularSource
from ingestion.units import load_registry, lookup_table, match_units, unmatched_reason
from ingestion.validation import Problem, not_before, raw_name


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    fields = INCIDENTS.field_by_name
    lookup = context.get("unit_lookup", lambda: lookup_table(load_registry(context.unit_registry_csv)))
    frame = match_units(frame, raw_name("lead_unit_code"), lookup, "lead")
    reason = unmatched_reason(raw_name("lead_unit_code"), "lead_candidates", context.unit_registry_csv)
    problems = [
        Problem("lead_unit_code", reason.is_not_null(), reason, pl.col(raw_name("lead_unit_code"))),
        not_before("first_response_at", "detected_at", "responded to before it was detected", fields),
        not_before("resolved_at", "detected_at", "resolved before it was detected", fields),
        not_before("resolved_at", "first_response_at", "resolved before the first response", fields),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=INCIDENTS,
    patterns=("incidents/*.csv",),
    rules=rules,
    reference_files=(UNIT_REGISTRY_FILE,),
    table_select=f"""
        incident_id, {mask_contacts_sql('topic')}, detected_at, detected_via, first_response_at, resolved_at, lead_code,
        severity
    """,
)
