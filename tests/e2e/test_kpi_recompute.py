"""Distinct users and the right-title share, recomputed in Python from the staging rows of the tiny pipeline build and
compared with the published marts (issue #14: a month's users were the sum of daily users; responder_title was unused).

The Python here shares nothing with the dbt SQL: it reads the per-event / per-hit / per-ticket rows, groups them itself
and normalises titles with unicodedata (the SQL uses DuckDB's strip_accents).
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest


def _rows(db: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def build(built_pipeline):
    return built_pipeline.settings.build_db, built_pipeline.settings.warehouse_db


def test_monthly_users_are_distinct_users_of_the_month(build):
    build_db, warehouse = build
    # which form each site-day's figures come from (the mart's own choice of form is not what is under test here)
    forms: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _rows(warehouse, "select site, strftime(date, '%Y-%m') as month, source_form from marts.fct_portal_daily "
                                "where is_preferred_source"):
        forms[(row["site"], row["month"])].add(row["source_form"])
    visitors: dict[tuple[str, str], set[str]] = defaultdict(set)
    visitor_days: dict[tuple[str, str], set[tuple]] = defaultdict(set)
    for row in _rows(build_db, "select page_host, event_date, user_pseudo_id from staging.stg_ga4__events "
                               "where page_host is not null and user_pseudo_id is not null"):
        if forms.get((row["page_host"], row["event_date"].strftime("%Y-%m"))) == {"ga4"}:
            key = (row["page_host"], row["event_date"].strftime("%Y-%m"))
            visitors[key].add(row["user_pseudo_id"])
            visitor_days[key].add((row["event_date"], row["user_pseudo_id"]))
    for row in _rows(build_db, "select host, hit_date, client_key from staging.stg_access_log__hits where is_page_view"):
        key = (row["host"], row["hit_date"].strftime("%Y-%m"))
        if forms.get(key) == {"access_log"}:
            visitors[key].add(row["client_key"])
            visitor_days[key].add((row["hit_date"], row["client_key"]))
    published = {(r["site"], r["month"]): r for r in _rows(
        warehouse, "select site, month, users, user_days from marts.kpi_portal_monthly where site is not null")}
    checked = fewer_than_user_days = 0
    for key, form in forms.items():
        row = published[key]
        if form in ({"ga4"}, {"access_log"}):
            assert row["users"] == len(visitors[key]), f"{key}: marts {row['users']}, recomputed {len(visitors[key])}"
            assert row["user_days"] == len(visitor_days[key]), key
            checked += 1
            fewer_than_user_days += row["users"] < row["user_days"]
        else:
            assert row["users"] is None, f"{key} is measured by {form}: distinct users cannot be counted"
            assert row["user_days"] is not None
    assert checked > 10
    # the old mart's users were the user-days (a person coming back on another day of the month counted twice):
    # users = user_days everywhere
    assert fewer_than_user_days > 0


def _title_key(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def test_authorised_title_share_recomputed_from_the_tickets(build):
    build_db, warehouse = build
    # the reference rows as loaded (wherever the CSV lives), compared the Python way
    allowed = {(r["unit_type"], _title_key(r["title"]))
               for r in _rows(build_db, "select unit_type, title from reference.authorised_responder_titles")}
    unit_type = {r["unit_code"]: r["unit_type"] for r in _rows(build_db, "select unit_code, unit_type from reference.unit_registry")}
    answered: dict[str, int] = defaultdict(int)
    authorised: dict[str, int] = defaultdict(int)
    for t in _rows(build_db, "select received_at, responded_at, responding_unit_code, responder_title "
                             "from intermediate.int_feedback_tickets_deduplicated"):
        if t["responded_at"] is None:
            continue
        quarter = f"{t['received_at'].year}Q{(t['received_at'].month - 1) // 3 + 1}"
        answered[quarter] += 1
        kind = unit_type.get(t["responding_unit_code"])
        key = _title_key(t["responder_title"])
        if t["responder_title"] and kind is not None and ((kind, key) in allowed or ("*", key) in allowed):
            authorised[quarter] += 1
    published = {r["period"]: r for r in _rows(
        warehouse, "select period, answered_count, answered_by_authorised_title_count, answered_by_authorised_title_pct "
                   "from marts.kpi_feedback_response where period_grain = 'quarter' and unit_code is null")}
    assert set(published) >= set(answered) and answered
    for quarter, count in answered.items():
        row = published[quarter]
        assert row["answered_count"] == count, quarter
        assert row["answered_by_authorised_title_count"] == authorised[quarter], quarter
        assert row["answered_by_authorised_title_pct"] == round(100.0 * authorised[quarter] / count, 1), quarter
