"""docs/sql-cookbook.md: every recipe runs on the published warehouse through the staff's locked connection and returns
the columns it promises; five answers are recomputed independently (from another mart or by hand)."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from edukpi.settings import PROJECT_ROOT
from edukpi.sql import connect_readonly

from tests.conftest import BuiltPipeline

COOKBOOK = PROJECT_ROOT / "docs" / "sql-cookbook.md"
HEADING = re.compile(r"^## (\d+)\. (.+)$", re.MULTILINE)
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)
COLUMNS_LINE = re.compile(r"^Cột kết quả / Result columns: (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Recipe:
    number: int
    title: str
    sql: str
    columns: list[str]


def parse_cookbook(text: str) -> list[Recipe]:
    headings = list(HEADING.finditer(text))
    recipes = []
    for heading, following in zip(headings, [*headings[1:], None]):
        body = text[heading.end() : following.start() if following else len(text)]
        blocks = SQL_BLOCK.findall(body)
        columns = COLUMNS_LINE.search(body)
        assert len(blocks) == 1, f"recipe {heading.group(1)} needs exactly one ```sql block, has {len(blocks)}"
        assert columns, f"recipe {heading.group(1)} needs a 'Cột kết quả / Result columns:' line"
        recipes.append(
            Recipe(
                number=int(heading.group(1)),
                title=heading.group(2),
                sql=blocks[0].strip(),
                columns=re.findall(r"`([^`]+)`", columns.group(1)),
            )
        )
    return recipes


RECIPES = parse_cookbook(COOKBOOK.read_text(encoding="utf-8"))


def recipe(number: int, must_mention: str) -> Recipe:
    found = next(r for r in RECIPES if r.number == number)
    assert must_mention in found.title, f"recipe {number} is no longer about {must_mention!r}: {found.title}"
    return found


@pytest.fixture(scope="module")
def staff_con(built_pipeline: BuiltPipeline):
    con = connect_readonly(built_pipeline.settings.warehouse_db)
    yield con
    con.close()


def rows_as_dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    relation = con.sql(sql)
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def test_cookbook_has_at_least_twelve_bilingual_recipes() -> None:
    assert len(RECIPES) >= 12
    assert [r.number for r in RECIPES] == list(range(1, len(RECIPES) + 1))
    for item in RECIPES:
        vietnamese, _, english = item.title.partition(" / ")
        assert english, f"recipe {item.number} needs 'Vietnamese question / English question': {item.title}"
        assert re.search(r"[À-ỹĐđ]", vietnamese), f"recipe {item.number}: the first half should be Vietnamese"
        assert english.isascii(), f"recipe {item.number}: the second half should be English"
        assert item.columns, f"recipe {item.number} lists no result columns"


@pytest.mark.parametrize("item", RECIPES, ids=[f"recipe-{r.number}" for r in RECIPES])
def test_recipe_runs_with_its_columns(staff_con: duckdb.DuckDBPyConnection, item: Recipe) -> None:
    relation = staff_con.sql(item.sql)
    assert relation is not None, f"recipe {item.number} returns no result"
    assert relation.columns == item.columns
    # The tiny sample has lagging units, overdue tickets and falling sites on purpose: an empty answer there usually
    # means a misspelt literal (a unit type, a period label), and proves nothing about the query.
    assert relation.fetchall(), f"recipe {item.number} returned no rows on the sample data"


def test_missed_quota_matches_the_publication_pipeline(staff_con: duckdb.DuckDBPyConnection) -> None:
    """Recipe 1 against kpi_publication_pipeline (submitted - withdrawn) and the unit registry, joined in Python."""
    answer = rows_as_dicts(staff_con, recipe(1, "2024Q2").sql)
    pipeline = {
        row["unit_code"]: row["submitted"] - row["withdrawn"]
        for row in rows_as_dicts(
            staff_con, "select * from marts.kpi_publication_pipeline where quarter = '2024Q2' and unit_code is not null"
        )
    }
    quarter_start, quarter_end = dt.date(2024, 4, 1), dt.date(2024, 6, 30)
    expected = sorted(
        (unit["unit_code"], pipeline.get(unit["unit_code"], 0))
        for unit in rows_as_dicts(staff_con, "select * from marts.dim_unit where unit_type = 'district_office'")
        if unit["valid_from"] <= quarter_end
        and (unit["valid_to"] is None or unit["valid_to"] >= quarter_start)
        and pipeline.get(unit["unit_code"], 0) < unit["quota_articles_per_quarter"]
    )
    assert expected, "the sample should have district offices behind their quota"
    assert sorted((row["unit_code"], row["articles_submitted"]) for row in answer) == expected
    assert all(row["articles_missing"] == row["quota"] - row["articles_submitted"] > 0 for row in answer)


def test_on_time_share_per_quarter_matches_the_tickets(staff_con: duckdb.DuckDBPyConnection) -> None:
    """Recipe 4 recomputed in Python from the ticket facts: counts exactly, percentages to the rounding."""
    answer = {row["quarter"]: row for row in rows_as_dicts(staff_con, recipe(4, "legal time").sql)}
    tickets = rows_as_dicts(staff_con, "select received_date, responded_at, within_sla from marts.fct_feedback_tickets")
    received: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    for ticket in tickets:
        quarter = f"{ticket['received_date'].year}Q{(ticket['received_date'].month - 1) // 3 + 1}"
        received[quarter] += 1
        answered[quarter] += ticket["responded_at"] is not None
        on_time[quarter] += bool(ticket["within_sla"])
    assert set(received) <= set(answer)
    for quarter, row in answer.items():
        assert row["received_count"] == received.get(quarter, 0), quarter
        assert row["answered_count"] == answered.get(quarter, 0), quarter
        assert row["answered_within_sla_count"] == on_time.get(quarter, 0), quarter
        if answered.get(quarter):
            assert row["answered_within_sla_pct"] == pytest.approx(100 * on_time[quarter] / answered[quarter], abs=0.05)
        else:
            assert row["answered_within_sla_pct"] is None


def test_working_days_and_deadline_match_a_hand_count(staff_con: duckdb.DuckDBPyConnection) -> None:
    """Recipes 6 and 7 against the official calendar counted by hand.

    26/4/2024 (Fri) .. 6/5/2024: Sat 27/4, Sun 28/4 off; Mon 29/4 off (swapped for Sat 4/5); 30/4 and 1/5 holidays;
    Thu 2/5, Fri 3/5, Sat 4/5 (make-up) worked; Sun 5/5 off; Mon 6/5 worked -> 4 working days, 6 days off.
    The 10th working day after 26/4: 2/5, 3/5, 4/5, 6/5, 7/5, 8/5, 9/5, 10/5, 13/5, 14/5 -> 14/5/2024.
    """
    (between,) = rows_as_dicts(staff_con, recipe(6, "working days").sql)
    assert (between["working_days"], between["days_off"]) == (4, 6)
    (deadline,) = rows_as_dicts(staff_con, recipe(7, "answered").sql)
    assert deadline["answer_due_date"] == dt.date(2024, 5, 14)


def test_falling_sub_sites_match_the_daily_facts(staff_con: duckdb.DuckDBPyConnection) -> None:
    """Recipe 9 recomputed in Python from fct_portal_daily (preferred analytics form only)."""
    answer = rows_as_dicts(staff_con, recipe(9, "fell month on month").sql)
    monthly: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows_as_dicts(
        staff_con, "select site, date, pageviews from marts.fct_portal_daily where is_preferred_source"
    ):
        monthly[(row["site"], row["date"].strftime("%Y-%m"))] += row["pageviews"]
    latest = max(month for _, month in monthly)
    year, month = int(latest[:4]), int(latest[5:])
    previous = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    expected = sorted(
        (site, monthly[(site, previous)], pageviews)
        for (site, month_label), pageviews in monthly.items()
        if month_label == latest and (site, previous) in monthly and pageviews < monthly[(site, previous)]
    )
    assert {row["month"] for row in answer} == {latest}
    assert sorted((row["site"], row["pageviews_prev_month"], row["pageviews"]) for row in answer) == expected


def test_old_open_tickets_match_the_backlog_kpi(staff_con: duckdb.DuckDBPyConnection) -> None:
    """Recipe 5 against kpi_feedback_response: the department's monthly backlog buckets count the same tickets."""
    answer = rows_as_dicts(staff_con, recipe(5, "10 working days").sql)
    (backlog,) = staff_con.sql(
        "select sum(open_backlog_over_10) from marts.kpi_feedback_response where unit_code is null and period_grain = 'month'"
    ).fetchone()
    assert len(answer) == backlog
    assert all(row["open_age_working_days"] > 10 for row in answer)


def test_published_articles_match_the_publication_pipeline(staff_con: duckdb.DuckDBPyConnection) -> None:
    """Recipe 17 (article-level fact) against kpi_publication_pipeline: published per unit, and the median days."""
    import statistics

    answer = rows_as_dicts(staff_con, recipe(20, "published").sql)
    pipeline = rows_as_dicts(staff_con, "select * from marts.kpi_publication_pipeline where quarter = '2024Q2'")
    days_by_unit: dict[str | None, list[int]] = defaultdict(list)
    for row in answer:
        assert row["published_date"] >= row["submitted_date"]
        days_by_unit[row["unit_code"]].append(row["days_to_publication"])
    expected_units = {row["unit_code"]: row for row in pipeline if row["unit_code"] is not None and row["published"]}
    assert {code for code in days_by_unit if code is not None} == set(expected_units)
    for code, row in expected_units.items():
        assert len(days_by_unit[code]) == row["published"], code
        assert statistics.median(days_by_unit[code]) == pytest.approx(row["median_days_to_publication"]), code
    (department,) = [row for row in pipeline if row["unit_code"] is None]
    assert len(answer) == department["published"]
    assert len({row["submission_id"] for row in answer}) == len(answer)  # one row per article
