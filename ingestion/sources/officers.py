"""Communication officers named by the units, with validity dates (CSV or XLSX) -> raw.officer_roster."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from edukpi.settings import UNIT_REGISTRY_FILE
from ingestion.contracts import OFFICER_ROSTER
from ingestion.mappings import Mapping, RejectedFileError
from ingestion.pseudonymise import normalise_name
from ingestion.readers import MappedRows, read_mapped
from ingestion.sources.social_exports import export_date
from ingestion.tabular import RunContext, TabularSource
from ingestion.units import load_registry, lookup_table, match_units, unmatched_reason
from ingestion.validation import Problem, not_before, raw_name


def read_roster(path: Path, file_label: str, mappings: tuple[Mapping, ...]) -> MappedRows:
    """read_mapped, with the day the roster was drawn up (from the file's name) on every row as exported_on."""
    drawn_up = export_date(file_label)
    if drawn_up is None:
        raise RejectedFileError(
            f"{file_label}: the file name carries no date. A roster lists who holds the role as of the day it was drawn "
            "up, and an open assignment (no end date) counts up to that day only, so the name must carry it, e.g. "
            "can_bo_truyen_thong_2025-06-30.csv or roster_20250630.csv; rename the file and load again."
        )
    mapped = read_mapped(path, file_label, mappings)
    mapped.frame = mapped.frame.with_columns(pl.lit(drawn_up, pl.Date).alias("exported_on"))
    return mapped


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    fields = OFFICER_ROSTER.field_by_name
    lookup = context.get("unit_lookup", lambda: lookup_table(load_registry(context.unit_registry_csv)))
    frame = match_units(frame, raw_name("unit_code"), lookup, "unit")
    frame = frame.with_columns(normalise_name(pl.col(raw_name("officer_name"))).alias("_officer_norm"))
    reason = unmatched_reason(raw_name("unit_code"), "unit_candidates", context.unit_registry_csv)
    problems = [
        Problem("unit_code", reason.is_not_null(), reason, pl.col(raw_name("unit_code"))),
        not_before("valid_to", "valid_from", "the role ends before it begins", fields),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=OFFICER_ROSTER,
    patterns=("officers/*.csv", "officers/*.xlsx", "officers/*.xlsm"),
    rules=rules,
    reference_files=(UNIT_REGISTRY_FILE,),
    # The roster is a list as of a day: the day in the file's name says up to when an open assignment is known to hold.
    reader=read_roster,
    table_select="unit_code, hmac_key(_officer_norm), valid_from, valid_to, exported_on",
    needs_key=True,
)
