"""`edukpi bench` end to end on the tiny preset: the steps the test selects run and the JSON holds their figures,
consistent with each other (no timings asserted). The one-day refresh, the start-up costs and the stand-alone dbt CLI
are left to `make bench` (`--steps`), to keep this test short; the full build and both floors are here."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.run import REFERENCE_STEPS, REQUIRED_KEYS, load_queries, run_bench
from ingestion.sources import SOURCES

TEST_STEPS = "build,physical,floor,queries"


def test_staff_queries_file_holds_twenty_named_queries() -> None:
    queries = load_queries()
    assert len(queries) == 20
    assert len({name for name, _ in queries}) == 20
    assert all(sql.lower().lstrip().startswith(("select", "with")) for _, sql in queries)


@pytest.fixture(scope="module")
def bench_result(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path, Path]:
    root = tmp_path_factory.mktemp("bench")
    results_dir, docs = root / "results", root / "benchmarks.md"
    # Two timed runs per staff query keep this test short; the real bench uses 10.
    result = run_bench("tiny", 7, root / "work", results_dir, docs, query_runs=2, steps=TEST_STEPS)
    return result, results_dir, docs, root / "work"


def test_bench_writes_the_figures_of_the_steps_it_ran(bench_result: tuple[dict, Path, Path, Path]) -> None:
    result, results_dir, _, _ = bench_result
    written = list(results_dir.glob("*-tiny.json"))
    assert len(written) == 1
    on_disk = json.loads(written[0].read_text(encoding="utf-8"))
    assert on_disk["steps_run"] == ["physical", "build", "report", "queries", "floor", "dbt_floor"]
    for key, needs in REQUIRED_KEYS.items():
        if not set(needs) <= set(on_disk["steps_run"]):
            assert key not in on_disk, f"{key} written although its steps {needs} did not run"
            continue
        value = on_disk[key]
        assert isinstance(value, (int, float)) and math.isfinite(value), (key, value)
        assert value > 0 or key == "largest_spill_mb", (key, value)  # tiny data fits in memory: nothing to spill
    assert on_disk["preset"] == "tiny" and on_disk["seed"] == 7
    assert "incremental_day_s" not in on_disk and "dbt_cli_build" not in on_disk["steps"]


def test_ratios_agree_with_the_times(bench_result: tuple[dict, Path, Path, Path]) -> None:
    result, _, _, _ = bench_result
    steps = result["steps"]
    rest = steps["floor_dbt"]["seconds"] + steps["floor_publish"]["seconds"] + steps["report"]["seconds"]
    assert result["physical_ingestion_s"] == pytest.approx(steps["physical_ingestion"]["seconds"], abs=0.01)
    assert result["physical_floor_s"] == pytest.approx(result["physical_ingestion_s"] + rest, abs=0.01)
    assert result["floor_s"] == pytest.approx(steps["floor_ingestion"]["seconds"] + rest, abs=0.01)
    assert result["physical_floor_s"] <= result["full_build_s"]
    assert result["full_build_vs_physical_floor"] == pytest.approx(result["full_build_s"] / result["physical_floor_s"], rel=1e-2)
    assert result["ingestion_vs_physical"] == pytest.approx(
        steps["floor_ingestion"]["seconds"] / result["physical_ingestion_s"], rel=1e-2)
    assert result["full_build_vs_floor"] == pytest.approx(result["full_build_s"] / result["floor_s"], rel=1e-2)
    assert result["query_p50_ms"] <= result["query_p95_ms"]
    assert steps["staff_queries"]["connect_p50_ms"] > 0 and result["query_new_connection_p95_ms"] > 0
    # Peak memory is judged on the project's steps; the bench's generator and floors are shown apart.
    project = {name: s for name, s in steps.items() if name not in REFERENCE_STEPS}
    assert {"full_build", "report"} <= set(project) and {"physical_ingestion", "floor_dbt"} <= set(steps) - set(project)
    assert result["peak_rss_mb"] == pytest.approx(max(s["peak_rss_mb"] for s in project.values()), abs=0.1)
    assert result["reference_peak_rss_mb"] == pytest.approx(
        max(s["peak_rss_mb"] for name, s in steps.items() if name in REFERENCE_STEPS), abs=0.1)
    assert result["largest_spill_mb"] == pytest.approx(max(s["largest_spill_mb"] for s in steps.values()), abs=0.1)
    assert set(result["targets"]) >= {"full_build_vs_physical_floor", "ingestion_vs_physical", "full_build_vs_floor"}


def test_physical_floor_read_every_raw_file(bench_result: tuple[dict, Path, Path, Path]) -> None:
    physical = bench_result[0]["steps"]["physical_ingestion"]
    raw = bench_result[3] / "raw"
    assert physical["ga4_files"] == len(SOURCES["ga4"].find_files(raw)) > 0
    assert physical["access_log_files"] == len(SOURCES["access_log"].find_files(raw)) > 0
    others = physical["other_sources"]
    assert set(others) == set(SOURCES) - {"ga4", "access_log"}
    for name, figures in others.items():
        assert figures["files"] == len(SOURCES[name].find_files(raw)), name
        assert figures["rows"] >= figures["files"] > 0, name
    # The build's memory cap, as every build connection has it (DuckDB shows 3GB as 2.7 GiB).
    assert physical["memory_limit"] != "" and bench_result[0]["steps"]["floor_dbt"]["memory_limit"] == physical["memory_limit"]


def test_one_build_file_at_a_time_and_none_left(bench_result: tuple[dict, Path, Path, Path]) -> None:
    result, _, _, workdir = bench_result
    for name, step in result["steps"].items():
        files = step["duckdb_files_after_mb"]
        # Published warehouses (the full build's, the floor's while it is timed) are not copies of the build file.
        build_files = [path for path in files if not path.endswith("warehouse.duckdb") or path.startswith("build/")]
        assert len(build_files) <= 1, (name, files)
        assert "physical/physical.duckdb" not in files, name  # deleted right after it is timed
    assert not (workdir / "build").exists() and not (workdir / "physical").exists()
    assert result["build_file_mb"] > 0
    assert set(result["disk_checks"]) == set(result["steps_run"])


def test_every_dbt_invocation_parsed_partially(bench_result: tuple[dict, Path, Path, Path]) -> None:
    invocations = bench_result[0]["dbt_invocations"]
    # The full build's dbt step (one build_all run) and the floor's compile.
    assert {i["where"].split(":")[0] for i in invocations} >= {"full_build", "floor_dbt"}, invocations
    assert all(i["partial_parse"] for i in invocations), invocations
    assert bench_result[0]["dbt_partial_parse_all"] is True


def test_docs_hold_the_current_figures_and_the_preset_section(bench_result: tuple[dict, Path, Path, Path]) -> None:
    text = bench_result[2].read_text(encoding="utf-8")
    assert "<!-- bench:tiny:begin -->" in text and "<!-- bench:tiny:end -->" in text
    assert "<!-- bench:current:begin -->" in text and "## Current figures" in text
    assert "full build / physical floor" in text and "load average" in text
