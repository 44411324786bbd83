"""Article submissions (CSV or XLSX) -> raw.article_submissions; the unit as typed is matched to the unit registry."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import ARTICLE_SUBMISSIONS
from ingestion.mappings import Mapping
from ingestion.pseudonymise import mask_contacts_in_url_sql, mask_contacts_sql
from edukpi.settings import UNIT_REGISTRY_FILE
from ingestion.tabular import RunContext, TabularSource
from ingestion.units import load_registry, lookup_table, match_units, unmatched_reason
from ingestion.validation import Problem, not_before, raw_name, required_when, shown_value

PLAN_ITEM_PATTERN = r"^(?:I|II|III|IV|V)\.\d{1,2}$"


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    fields = ARTICLE_SUBMISSIONS.field_by_name
    lookup = context.get("unit_lookup", lambda: lookup_table(load_registry(context.unit_registry_csv)))
    frame = match_units(frame, raw_name("unit_as_sent"), lookup, "unit")
    unit_reason = unmatched_reason(raw_name("unit_as_sent"), "unit_candidates", context.unit_registry_csv)
    published = pl.col("status") == "published"
    plan_item = pl.col(raw_name("plan_item"))
    problems = [
        Problem("unit_as_sent", unit_reason.is_not_null(), unit_reason, pl.col(raw_name("unit_as_sent"))),
        required_when("published_at", published, "status is published (Đã đăng)"),
        required_when("published_channel", published, "status is published (Đã đăng)"),
        not_before("published_at", "submitted_at", "published before it was submitted", fields),
        Problem(
            "plan_item",
            plan_item.is_not_null() & ~plan_item.str.contains(PLAN_ITEM_PATTERN),
            pl.format("plan_item '{}' is not an item of the plan's appendix; expected a code like I.1, II.5 or V.2",
                      shown_value(fields["plan_item"], plan_item)),
            shown_value(fields["plan_item"], plan_item),
        ),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=ARTICLE_SUBMISSIONS,
    patterns=("submissions/*.csv", "submissions/*.xlsx", "submissions/*.xlsm"),
    rules=rules,
    reference_files=(UNIT_REGISTRY_FILE,),
    table_select=f"""
        submission_id, unit_code, unit_as_sent, submitted_at, {mask_contacts_sql('title')}, plan_item,
        {mask_contacts_sql('author')}, status, published_at, published_channel, {mask_contacts_in_url_sql('url')}
    """,
)
