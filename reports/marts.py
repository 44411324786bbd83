"""Read-only access to the published marts: each method picks rows; none aggregates or computes a KPI.

The small marts the pages ask about over and over (headline, quota, feedback, portal monthly, top pages, pipeline)
are read once per connection, in the order the questions want (plus tie-breaking columns, so
the order is stable), and each question then picks its rows in Python: one query per mart instead of one per page
and chart. The large fact tables (tickets, daily portal rows) are still queried per period page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from reports.format import period_grain

Row = dict[str, Any]

# Every mart column the reports read. Checked once on opening so a renamed or missing column is reported in one
# message naming the table and the column, instead of a SQL error deep inside a page.
REQUIRED_COLUMNS: dict[str, list[str]] = {
    "dim_unit": ["unit_code", "unit_name", "unit_type", "valid_from", "valid_to", "site_host", "quota_articles_per_quarter"],
    "fct_feedback_tickets": [
        "received_date", "category", "working_days_to_response", "sla_working_days", "within_sla", "responded_at",
        "as_of_date",
    ],
    "kpi_feedback_response": [
        "period_grain", "period", "period_start", "unit_code", "unit_name", "received_count", "answered_count",
        "answered_within_sla_count", "answered_within_sla_pct", "median_working_days", "p90_working_days",
        "open_backlog_0_5", "open_backlog_6_10", "open_backlog_over_10", "answers_published_pct",
        "answered_by_assigned_unit_pct", "answered_by_authorised_title_pct",
    ],
    "kpi_quota_fulfilment": [
        "unit_code", "unit_name", "unit_type", "quarter", "quarter_start", "quarter_end", "quota", "articles_submitted",
        "articles_published", "quota_met", "quarter_status", "projected_articles", "projection", "quota_status",
        "is_behind_quota",
    ],
    "fct_portal_daily": ["site", "date", "pageviews", "source_form", "is_preferred_source"],
    "kpi_portal_monthly": ["month", "month_start", "site", "unit_code", "pageviews", "users", "user_days", "pageviews_prev_month",
                           "pageviews_change_pct"],
    "kpi_portal_top_pages": ["month", "site", "page_path", "page_title", "pageviews", "rank_in_month"],
    "kpi_publication_pipeline": [
        "quarter", "unit_code", "unit_name", "submitted", "selected", "published", "rejected", "withdrawn",
        "selection_rate_pct", "median_days_to_publication", "published_portal", "published_press", "published_ministry",
        "submitted_not_withdrawn", "published_in_quarter",
    ],
    "kpi_headline": [
        "period_grain", "period", "metric", "value", "previous_value", "change", "target", "meets_target", "is_running",
    ],
}

# The department office runs the portal itself; its sub-site host is the portal's.
PORTAL_UNIT_CODE = "SGD_VP"
DEFAULT_PORTAL_HOST = "hcm.edu.vn"


class MartSchemaError(RuntimeError):
    pass


@dataclass(frozen=True)
class Period:
    code: str  # '2024Q2' or '2024-05'
    grain: str  # 'quarter' | 'month'
    start: dt.date
    end: dt.date
    quarter: str  # the quarter holding the period (itself for a quarter)
    months: tuple[str, ...]  # months of the period ('2024-04', '2024-05', '2024-06' or just the month)


def period_from_label(code: str, grain: str) -> Period:
    """'2024Q2' (grain 'quarter') or '2024-05' (grain 'month') as a Period; anything else is a ValueError."""
    if period_grain(code) != grain or grain not in ("quarter", "month"):
        raise ValueError(f"period {code!r} is not a {grain} label (a quarter is written 2024Q2, a month 2024-05)")
    year = int(code[:4])
    first_month = 3 * int(code[-1]) - 2 if grain == "quarter" else int(code[5:7])
    last_month = first_month + 2 if grain == "quarter" else first_month
    start = dt.date(year, first_month, 1)
    after = dt.date(year + 1, 1, 1) if last_month == 12 else dt.date(year, last_month + 1, 1)
    return Period(code=code, grain=grain, start=start, end=after - dt.timedelta(days=1),
                  quarter=f"{year}Q{(first_month - 1) // 3 + 1}",
                  months=tuple(f"{year}-{month:02d}" for month in range(first_month, last_month + 1)))


class Marts:
    """A read-only connection to the warehouse with one method per question the reports ask."""

    def __init__(self, warehouse_db: Path):
        self.path = Path(warehouse_db)
        if not self.path.exists():
            raise FileNotFoundError(f"warehouse file {self.path} does not exist; build it first (`edukpi materialize`)")
        self.con = duckdb.connect(str(self.path), read_only=True)
        self._tables: dict[str, list[Row]] = {}
        self._periods: dict[tuple[str, str], Period] = {}
        try:
            self._check_columns()
        except Exception:
            self.con.close()
            raise

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Marts":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_columns(self) -> None:
        present: dict[str, set[str]] = {}
        for table, column in self.con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
        ).fetchall():
            present.setdefault(table, set()).add(column)
        self.columns = present
        problems = []
        for table, columns in REQUIRED_COLUMNS.items():
            if table not in present:
                problems.append(f"table marts.{table} is missing")
                continue
            missing = [c for c in columns if c not in present[table]]
            if missing:
                problems.append(f"marts.{table} lacks column(s) {', '.join(missing)}")
        if problems:
            raise MartSchemaError(
                f"{self.path}: the reports cannot read this warehouse: " + "; ".join(problems)
                + ". The reports read the marts; rebuild the warehouse with the current dbt project."
            )

    def has_column(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, set())

    def rows(self, sql: str, params: list[Any] | None = None) -> list[Row]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values)) for values in cursor.fetchall()]

    def one(self, sql: str, params: list[Any] | None = None) -> Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def _table(self, sql: str) -> list[Row]:
        """The rows of one whole-mart query, read once per connection (callers filter, never modify, them)."""
        found = self._tables.get(sql)
        if found is None:
            found = self._tables[sql] = self.rows(sql)
        return found

    def _headline_rows(self) -> list[Row]:
        return self._table("select * from marts.kpi_headline order by period_grain, period")

    # ---- periods ---------------------------------------------------------------------------------------------
    def periods(self, grain: str) -> list[str]:
        """Periods of a grain that have headline figures, oldest first."""
        return sorted({r["period"] for r in self._headline_rows() if r["period_grain"] == grain and r["period"] is not None})

    def period(self, code: str, grain: str) -> Period:
        """The days and months of a period the marts name ('2024Q2', '2024-05', the labels of the period_labels macro).

        Worked out from the label alone, not looked up in marts.dim_date: a period of the data always has its page,
        whatever years the calendar covers.
        """
        key = (code, grain)
        if key not in self._periods:
            self._periods[key] = period_from_label(code, grain)
        return self._periods[key]

    def period_is_running(self, period: Period) -> bool:
        """Whether the period ends after the data's as-of date (kpi_headline.is_running)."""
        return any(r["is_running"] for r in self._headline_rows()
                   if r["period_grain"] == period.grain and r["period"] == period.code)

    def previous_period(self, period: Period) -> str | None:
        earlier = [r["period"] for r in self._headline_rows()
                   if r["period_grain"] == period.grain and r["period"] is not None and r["period"] < period.code]
        return max(earlier) if earlier else None

    def as_of_date(self) -> dt.date | None:
        """The latest as-of date any mart states (feedback tickets always; other marts when they carry one)."""
        tables = [t for t in ("fct_feedback_tickets", "kpi_feedback_response", "kpi_quota_fulfilment")
                  if self.has_column(t, "as_of_date")]
        dates = [r["as_of"] for t in tables for r in self.rows(f"select max(as_of_date) as as_of from marts.{t}")
                 if r["as_of"] is not None]
        return max(dates) if dates else None

    # ---- units -----------------------------------------------------------------------------------------------
    def units(self) -> list[Row]:
        return self.rows("select * from marts.dim_unit order by unit_type, unit_name")

    def portal_host(self) -> str:
        found = self.one("select site_host from marts.dim_unit where unit_code = ? and coalesce(site_host, '') <> ''",
                         [PORTAL_UNIT_CODE])
        return found["site_host"] if found else DEFAULT_PORTAL_HOST

    # ---- headline --------------------------------------------------------------------------------------------
    def headline(self, period: Period) -> dict[str, Row]:
        return {r["metric"]: r for r in self._headline_rows()
                if r["period_grain"] == period.grain and r["period"] == period.code}

    # ---- quota -----------------------------------------------------------------------------------------------
    def quota_rows(self, up_to_quarter: str | None = None, unit_code: str | None = None) -> list[Row]:
        rows = self._table("select * from marts.kpi_quota_fulfilment order by quarter, unit_type, unit_name, unit_code")
        return [r for r in rows
                if (not up_to_quarter or (r["quarter"] is not None and r["quarter"] <= up_to_quarter))
                and (not unit_code or r["unit_code"] == unit_code)]

    def latest_quota_quarter(self) -> str | None:
        found = self.one("select max(quarter) as quarter from marts.kpi_quota_fulfilment")
        return found["quarter"] if found else None

    # ---- feedback --------------------------------------------------------------------------------------------
    def feedback(self, grain: str, up_to: str | None = None, unit_code: str | None = None,
                 all_units: bool = False, period: str | None = None) -> list[Row]:
        """Rows of kpi_feedback_response: the department (unit_code NULL) unless unit_code or all_units is given."""
        rows = self._table("select * from marts.kpi_feedback_response order by period, unit_name, unit_code")
        return [r for r in rows
                if r["period_grain"] == grain
                and (not period or r["period"] == period)
                and (not up_to or (r["period"] is not None and r["period"] <= up_to))
                and (r["unit_code"] == unit_code if unit_code
                     else r["unit_code"] is not None if all_units else r["unit_code"] is None)]

    def feedback_deadlines(self) -> list[Row]:
        """Each category's answer deadline in working days as applied to its tickets, with how many tickets it has."""
        return self._table(
            """select category, sla_working_days, count(*) as tickets from marts.fct_feedback_tickets
               where sla_working_days is not null group by category, sla_working_days order by category, sla_working_days""")

    def response_times(self, period: Period) -> list[Row]:
        """Answered tickets received in the period: one row each, for the distribution chart (binned by Plotly.js)."""
        return self.rows(
            """select working_days_to_response, within_sla from marts.fct_feedback_tickets
               where received_date between ? and ? and responded_at is not null and working_days_to_response is not null
               order by working_days_to_response""",
            [period.start, period.end])

    # ---- portal ----------------------------------------------------------------------------------------------
    def portal_monthly(self, site: str | None, up_to_month: str | None = None) -> list[Row]:
        rows = self._table("select * from marts.kpi_portal_monthly order by month, site")
        return [r for r in rows
                if r["site"] == site and (not up_to_month or (r["month"] is not None and r["month"] <= up_to_month))]

    def portal_sites_in_month(self, month: str) -> list[Row]:
        return self.rows(
            """select m.*, u.unit_name from marts.kpi_portal_monthly m left join marts.dim_unit u using (unit_code)
               where m.month = ? and m.site is not null order by m.pageviews desc, m.site""", [month])

    def portal_daily(self, site: str, start: dt.date, end: dt.date) -> list[Row]:
        """One row per day for one site; where a day exists in several source forms, the preferred one is picked. Rows
        covering several days (a page report over a period) are not days: they are left out of a daily series."""
        return self.rows(
            """select date, pageviews, source_form from marts.fct_portal_daily
               where site = ? and date between ? and ? and is_preferred_source and period_days = 1
               order by date""", [site, start, end])

    def _top_pages_rows(self) -> list[Row]:
        return self._table("select * from marts.kpi_portal_top_pages order by month, rank_in_month, site, page_path")

    def top_pages(self, months: tuple[str, ...] | list[str], max_rank: int = 10) -> list[Row]:
        if not months:
            return []
        wanted = set(months)
        return [r for r in self._top_pages_rows()
                if r["month"] in wanted and r["rank_in_month"] is not None and r["rank_in_month"] <= max_rank]

    def latest_month_with_top_pages(self, months: tuple[str, ...]) -> str | None:
        if not months:
            return None
        wanted = set(months)
        found = [r["month"] for r in self._top_pages_rows() if r["month"] in wanted]
        return max(found) if found else None

    # ---- publication pipeline --------------------------------------------------------------------------------
    def pipeline(self, up_to_quarter: str | None = None, unit_code: str | None = None, quarter: str | None = None) -> list[Row]:
        rows = self._table("select * from marts.kpi_publication_pipeline order by quarter, unit_code")
        return [r for r in rows
                if r["unit_code"] == unit_code
                and (not up_to_quarter or (r["quarter"] is not None and r["quarter"] <= up_to_quarter))
                and (not quarter or r["quarter"] == quarter)]

    def pipeline_rows(self, quarter: str) -> list[Row]:
        """Every pipeline row of one quarter of submission: the department first, then the units."""
        rows = self._table("select * from marts.kpi_publication_pipeline order by quarter, unit_code")
        return sorted((r for r in rows if r["quarter"] == quarter), key=lambda r: (r["unit_code"] is not None, r["unit_code"] or ""))
