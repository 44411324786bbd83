"""Citizens' feedback tickets (CSV or XLSX) -> raw.feedback_tickets; identities hashed, contacts in the content masked."""
from __future__ import annotations

import polars as pl

from ingestion.contracts import FEEDBACK_TICKETS
from ingestion.mappings import Mapping
from ingestion.pseudonymise import mask_contacts, normalise_email, normalise_name, normalise_phone
from edukpi.settings import UNIT_REGISTRY_FILE
from ingestion.tabular import RunContext, TabularSource
from ingestion.units import load_registry, lookup_table, match_units, unmatched_reason
from ingestion.validation import Problem, not_before, raw_name, required_when


def rules(frame: pl.DataFrame, mapping: Mapping, context: RunContext) -> tuple[pl.DataFrame, list[Problem]]:
    fields = FEEDBACK_TICKETS.field_by_name
    lookup = context.get("unit_lookup", lambda: lookup_table(load_registry(context.unit_registry_csv)))
    frame = match_units(frame, raw_name("assigned_unit_code"), lookup, "assigned")
    frame = match_units(frame, raw_name("responding_unit_code"), lookup, "responding")
    phone = pl.col(raw_name("citizen_phone"))
    email = pl.col(raw_name("citizen_email"))
    frame = frame.with_columns(
        normalise_name(pl.col(raw_name("citizen_name"))).alias("_name_norm"),
        normalise_phone(phone).alias("_phone_norm"),
        normalise_email(email).alias("_email_norm"),
        mask_contacts(pl.col(raw_name("content"))).alias("content_masked"),
    )
    problems = []
    for prefix, column in (("assigned", "assigned_unit_code"), ("responding", "responding_unit_code")):
        reason = unmatched_reason(raw_name(column), f"{prefix}_candidates", context.unit_registry_csv)
        problems.append(Problem(column, reason.is_not_null(), reason, pl.col(raw_name(column))))
    problems += [
        not_before("responded_at", "received_at", "answered before it was received", fields),
        not_before("forwarded_at", "received_at", "forwarded before it was received", fields),
        not_before("answer_published_at", "responded_at", "the answer was published before it was given", fields),
        required_when("responded_at", pl.col("status") == "answered", "status is answered (Đã trả lời)"),
        Problem(
            "citizen_phone", phone.is_not_null() & (pl.col("_phone_norm").str.len_chars() < 9),
            pl.lit("citizen_phone '[phone withheld]' is not a phone number (fewer than 9 digits)"),
            pl.lit(fields["citizen_phone"].personal),
        ),
        Problem(
            "citizen_email", email.is_not_null() & ~email.str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
            pl.lit("citizen_email '[email withheld]' is not an e-mail address (name@domain)"),
            pl.lit(fields["citizen_email"].personal),
        ),
    ]
    return frame, problems


SOURCE = TabularSource(
    contract=FEEDBACK_TICKETS,
    patterns=("feedback/*.csv", "feedback/*.xlsx", "feedback/*.xlsm"),
    rules=rules,
    reference_files=(UNIT_REGISTRY_FILE,),
    table_select="""
        ticket_id, received_at, channel, category,
        hmac_key(_name_norm), hmac_key(_phone_norm), hmac_key(_email_norm),
        content_masked, assigned_code, forwarded_at, responding_code, responded_at, responder_title,
        answer_published_at, status, _raw_channel, _raw_category
    """,
    needs_key=True,
)
