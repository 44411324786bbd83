"""Every case of tests/bad_inputs/cases.yaml through the real ingestion (the functions the Dagster assets call), each into
its own DuckDB file: the outcome (loaded, quarantined with its reasons, or file rejected with its message) and the identity
rows read = rows loaded + rows quarantined, in the load report and in the tables."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from ingestion.loading import LoadReport, load_daily, load_tabular
from ingestion.mappings import RejectedFileError
from edukpi.settings import PROJECT_ROOT, SAMPLE_MARKER, Settings
from ingestion.sources import SOURCES
from tests.bad_inputs.build import build

BAD_INPUTS = Path(__file__).resolve().parents[1] / "bad_inputs"
MANIFEST = yaml.safe_load((BAD_INPUTS / "cases.yaml").read_text(encoding="utf-8"))
CASES: list[dict] = MANIFEST["cases"]
OUTCOMES = {"loaded", "quarantined", "rejected"}


@dataclass
class CaseRun:
    db: Path
    report: LoadReport | None = None
    error: Exception | None = None


def run_case(case: dict, root: Path) -> CaseRun:
    """Deliver the case's one file into an empty data/raw and load its source, as the Dagster asset does."""
    raw = root / "raw"
    target = raw / case["file"]
    target.parent.mkdir(parents=True)
    (raw / SAMPLE_MARKER).write_text("{}", encoding="utf-8")  # generated-data marker: the development HMAC key applies
    if case.get("build"):
        build(case["build"], target)
    else:
        shutil.copyfile(BAD_INPUTS / "files" / case["file"], target)
    settings = Settings(raw_dir=raw, build_db=root / "build.duckdb", warehouse_db=root / "warehouse.duckdb",
                        reports_dir=root / "reports", hmac_key=None)
    source = SOURCES[case["source"]]
    run = CaseRun(settings.build_db)
    try:
        if source.partitioned:
            run.report = load_daily(settings, source, [source.day_of(case["file"])])
        else:
            run.report = load_tabular(settings, source)
    except RejectedFileError as error:
        run.error = error
    return run


def as_text(rows) -> list[list[str | None]]:
    return [[None if value is None else str(value) for value in row] for row in rows]


def test_the_manifest_is_complete() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    assert len(CASES) >= 30
    for case in CASES:
        assert case["source"] in SOURCES, case["id"]
        assert case["outcome"] in OUTCOMES, case["id"]
        assert case.get("what"), case["id"]
        assert case.get("build") or (BAD_INPUTS / "files" / case["file"]).is_file(), case["id"]
        if case["outcome"] == "rejected":
            assert case.get("message") and "counts" not in case, case["id"]
        else:
            read, loaded, quarantined = case["counts"]
            assert read == loaded + quarantined, case["id"]
            assert (quarantined > 0) == (case["outcome"] == "quarantined") == bool(case.get("quarantine")), case["id"]
    by_group = {"analytics": {"ga4", "access_log", "page_report"}, "submissions": {"submissions"}, "feedback": {"feedback"},
                "social": {"facebook_posts", "facebook_insights", "zalo_articles", "zalo_followers", "zalo_interactions",
                           "moderation"},
                "issues": {"listening", "incidents", "monthly_reports"}}
    minimum = {"social": 10, "issues": 6}
    for group, sources in by_group.items():
        assert sum(case["source"] in sources for case in CASES) >= minimum.get(group, 8), group


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input(case: dict, tmp_path: Path) -> None:
    run = run_case(case, tmp_path)
    source = SOURCES[case["source"]]
    table = source.contract.qualified_table

    if case["outcome"] == "rejected":
        assert run.error is not None, f"expected the file to be rejected, got {run.report}"
        message = str(run.error)
        assert case["file"] in message, message  # names the file, relative to data/raw
        for piece in case["message"]:
            assert piece in message, message
        with duckdb.connect(str(run.db), read_only=True) as con:  # nothing of the load was written
            for written in (table, "raw.quarantine", "raw.ingested_files"):
                assert con.execute(f"select count(*) from {written}").fetchone() == (0,), written
        return

    assert run.error is None, str(run.error)
    report = run.report
    read, loaded, quarantined = case["counts"]
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (read, loaded, quarantined)
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    with duckdb.connect(str(run.db), read_only=True) as con:
        ledger = con.execute("select source_file, rows_read, rows_loaded, rows_quarantined from raw.ingested_files").fetchall()
        assert ledger == [(case["file"], read, loaded, quarantined)]
        assert con.execute(f"select count(*) from {table}").fetchone() == (loaded,)
        rows = con.execute(
            "select source_file, source_line, column_name, value, reason from raw.quarantine "
            "where superseded_at is null order by source_line"
        ).fetchall()
        checked = as_text(con.execute(case["check"]["sql"]).fetchall()) if case.get("check") else None

    expected = case.get("quarantine", [])
    assert [(line, column) for _, line, column, _, _ in rows] == [(e["line"], e["column"]) for e in expected]
    for (source_file, line, column, value, reason), wanted in zip(rows, expected):
        assert source_file == case["file"]
        assert wanted["reason"] in reason, reason
        if "value" in wanted:
            assert value == (None if wanted["value"] is None else str(wanted["value"])), value
        # Said in plain words, never a Python or DuckDB error, never a personal value shown.
        assert not re.search(r"Error|Exception|Traceback|\bNone\b", reason), reason
    if checked is not None:
        assert checked == as_text(case["check"]["rows"])


def test_every_case_is_listed_in_the_data_contracts() -> None:
    docs = (PROJECT_ROOT / "docs" / "data-contracts.md").read_text(encoding="utf-8")
    section = docs.split("## How bad input is handled", 1)[-1]
    missing = [case["id"] for case in CASES if f"`{case['id']}`" not in section]
    assert not missing, f"cases not listed in docs/data-contracts.md: {missing}"
