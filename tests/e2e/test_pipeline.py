"""The whole chain on the real stack (tiny preset): marts recomputed independently from the raw files must agree."""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import duckdb
import holidays
import polars as pl
import pytest

from edukpi.settings import UNIT_REGISTRY_CSV

from tests.conftest import BuiltPipeline


def query(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).pl()


def test_make_run_outputs_exist(built_pipeline: BuiltPipeline) -> None:
    settings = built_pipeline.settings
    assert settings.warehouse_db.is_file()
    assert (settings.reports_dir / "index.html").is_file()
    schemas = set(query(settings.warehouse_db, "select distinct table_schema from information_schema.tables")["table_schema"])
    assert "marts" in schemas
    assert not schemas & {"raw", "staging", "intermediate"}, "the published warehouse must hold only marts and reference"


def _working_days_between(received: dt.date, answered: dt.date, calendar: holidays.HolidayBase) -> int:
    """Working days in (received, answered] — computed day by day with the holidays package, independent of dbt."""
    days = 0
    day = received + dt.timedelta(days=1)
    while day <= answered:
        days += calendar.is_working_day(day)
        day += dt.timedelta(days=1)
    return days


def test_working_days_to_response_match_independent_computation(built_pipeline: BuiltPipeline) -> None:
    raw = pl.concat(
        [
            pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
            for path in sorted((built_pipeline.settings.raw_dir / "feedback").glob("*.csv"))
        ]
    )
    raw = raw.rename({"Mã phản ánh": "ticket_id", "Thời điểm tiếp nhận": "received", "Thời điểm trả lời": "answered"})
    raw = raw.filter(pl.col("answered").is_not_null() & (pl.col("answered") != "")).unique("ticket_id")
    marts = query(
        built_pipeline.settings.warehouse_db,
        "select ticket_id, working_days_to_response, within_sla, sla_working_days from marts.fct_feedback_tickets",
    )
    joined = raw.join(marts, on="ticket_id", how="inner")
    assert joined.height >= 0.9 * raw.height, "most answered tickets of the raw files must reach the mart"
    calendar = holidays.VN(years=range(2023, 2027))
    mismatches = []
    for row in joined.iter_rows(named=True):
        received = dt.datetime.fromisoformat(row["received"]).date()
        answered = dt.datetime.fromisoformat(row["answered"]).date()
        expected = _working_days_between(received, answered, calendar)
        if expected != row["working_days_to_response"] or (expected <= row["sla_working_days"]) != row["within_sla"]:
            mismatches.append((row["ticket_id"], received, answered, expected, row["working_days_to_response"]))
    assert not mismatches, mismatches[:10]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def test_quota_fulfilment_matches_independent_count(built_pipeline: BuiltPipeline) -> None:
    registry = pl.read_csv(UNIT_REGISTRY_CSV, infer_schema=False)
    by_name = {_fold(n): c for n, c in zip(registry["unit_name"], registry["unit_code"])}
    by_name |= {_fold(c): c for c in registry["unit_code"]}
    frames = [pl.read_csv(p, infer_schema=False) for p in sorted((built_pipeline.settings.raw_dir / "submissions").glob("*.csv"))]
    frames += [
        pl.read_excel(p, infer_schema_length=0) for p in sorted((built_pipeline.settings.raw_dir / "submissions").glob("*.xlsx"))
    ]
    raw = pl.concat([f.select(["Mã bài", "Đơn vị", "Ngày gửi", "Trạng thái"]).cast(pl.Utf8) for f in frames])
    counts: dict[tuple[str, str], set[str]] = {}
    for sid, unit, sent, status in raw.iter_rows():
        if status == "Rút lại" or _fold(unit) not in by_name:
            continue
        when = dt.datetime.strptime(sent.strip()[:10], "%d/%m/%Y")
        quarter = f"{when.year}Q{(when.month - 1) // 3 + 1}"
        counts.setdefault((by_name[_fold(unit)], quarter), set()).add(sid)
    mart = query(
        built_pipeline.settings.warehouse_db,
        "select unit_code, quarter, quota, articles_submitted, quota_met from marts.kpi_quota_fulfilment",
    )
    assert mart.height > 0
    for unit_code, quarter, quota, submitted, met in mart.iter_rows():
        expected = len(counts.get((unit_code, quarter), set()))
        assert submitted == expected, (unit_code, quarter, submitted, expected)
        assert met == (expected >= quota)
    district = mart.filter(pl.col("unit_code").str.starts_with("PGD_"))
    assert district["quarter"].max() <= "2025Q2", "district offices were dissolved on 2025-07-01"


def test_daily_pageviews_match_ga4_files(built_pipeline: BuiltPipeline) -> None:
    files = sorted((built_pipeline.settings.raw_dir / "analytics" / "ga4").glob("events_*.parquet"))
    assert files
    with duckdb.connect() as con:
        expected = con.sql(
            f"""
            select strptime(event_date, '%Y%m%d')::date as date,
                   regexp_extract(list_filter(event_params, p -> p.key = 'page_location')[1].value.string_value,
                                  '^https?://([^/:]+)', 1) as site,
                   count(*) as pageviews
            from read_parquet({[str(f) for f in files]})
            where event_name = 'page_view'
            group by all
            """
        ).pl()
    mart = query(
        built_pipeline.settings.warehouse_db,
        "select date, site, pageviews from marts.fct_portal_daily where source_form = 'ga4'",
    )
    joined = expected.join(mart, on=["date", "site"], how="full", suffix="_mart")
    assert joined.height == expected.height
    assert (joined["pageviews"] == joined["pageviews_mart"]).all()


def test_materialize_shows_a_line_per_step_and_writes_the_full_log(built_pipeline: BuiltPipeline) -> None:
    """`make run` (edukpi materialize) prints a line per step with rows, quarantine and seconds, the days' progress of a
    range, and where the full event log is; Dagster's DEBUG events and dbt's output go to that file only."""
    import re

    output = built_pipeline.log
    lines = output.splitlines()
    assert " - DEBUG - " not in output and "START sql" not in output
    assert len(lines) < 80, f"{len(lines)} lines"
    with duckdb.connect(str(built_pipeline.settings.build_db), read_only=True) as con:
        ledger = {
            source: (loaded, quarantined)
            for source, loaded, quarantined in con.sql(
                "select source, sum(rows_loaded), sum(rows_quarantined) from raw.ingested_files group by 1"
            ).fetchall()
        }
    from ingestion.sources import SOURCES

    for name, source in SOURCES.items():
        loaded, quarantined = ledger[name]
        line = next(line for line in lines if line.lstrip().startswith(f"✓ raw/{source.contract.table}:"))
        assert f"{loaded:,} rows loaded, {quarantined:,} quarantined" in line, line
        assert re.search(r"\d+\.\d s$", line), line
    # The analytics range: the days' progress of each daily load, ending at all of them
    days = re.findall(r"ga4: (\d+) of (\d+) days loaded", output)
    assert days and days[-1][0] == days[-1][1]
    assert any(line.lstrip().startswith("✓ published/warehouse:") for line in lines)
    (log_line,) = [line for line in lines if line.startswith("Full event log")]
    log_file = Path(log_line.split(": ", 1)[1])
    assert log_file.parent == built_pipeline.settings.build_db.parent / "logs"
    full_log = log_file.read_text(encoding="utf-8")
    assert " - DEBUG - " in full_log and "STEP_SUCCESS" in full_log and "RUN_SUCCESS" in full_log
    assert "START sql table model marts.kpi_quota_fulfilment" in full_log  # dbt's own output
