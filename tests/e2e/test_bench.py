"""`edukpi bench` end to end on the tiny preset: every step runs and the JSON holds every figure, consistent (no timings asserted)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.run import REQUIRED_KEYS, load_queries, run_bench


def test_staff_queries_file_holds_twenty_named_queries() -> None:
    queries = load_queries()
    assert len(queries) == 20
    assert len({name for name, _ in queries}) == 20
    assert all(sql.lower().lstrip().startswith(("select", "with")) for _, sql in queries)


@pytest.fixture(scope="module")
def bench_result(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path]:
    root = tmp_path_factory.mktemp("bench")
    results_dir, docs = root / "results", root / "benchmarks.md"
    # Two timed runs per query and no stand-alone dbt CLI build keep this test short; the real bench uses 10 and measures it.
    result = run_bench("tiny", 7, root / "work", results_dir, docs, query_runs=2, measure_dbt_cli=False)
    return result, results_dir, docs


def test_bench_writes_every_required_figure(bench_result: tuple[dict, Path, Path]) -> None:
    result, results_dir, _ = bench_result
    written = list(results_dir.glob("*-tiny.json"))
    assert len(written) == 1
    on_disk = json.loads(written[0].read_text(encoding="utf-8"))
    for key in REQUIRED_KEYS:
        assert key in on_disk, key
        value = on_disk[key]
        assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, (key, value)
    assert on_disk["preset"] == "tiny" and on_disk["seed"] == 7


def test_ratios_agree_with_the_times(bench_result: tuple[dict, Path, Path]) -> None:
    result, _, _ = bench_result
    assert result["full_build_vs_floor"] == pytest.approx(result["full_build_s"] / result["floor_s"], rel=1e-2)
    assert result["incremental_vs_full_build"] == pytest.approx(result["incremental_day_s"] / result["full_build_s"], rel=1e-2)
    assert result["query_p50_ms"] <= result["query_p95_ms"]
    steps = result["steps"]
    floor_parts = (steps["floor_ingestion"]["seconds"] + steps["floor_dbt"]["seconds"] + steps["floor_publish"]["seconds"]
                   + steps["report"]["seconds"])
    assert result["floor_s"] == pytest.approx(floor_parts, abs=0.01)
    assert result["peak_rss_mb"] == pytest.approx(max(s["peak_rss_mb"] for s in steps.values()), abs=0.1)


def test_steps_did_the_work(bench_result: tuple[dict, Path, Path]) -> None:
    steps = bench_result[0]["steps"]
    assert steps["floor_dbt"]["models"] > 20 and steps["floor_dbt"]["data_tests"] > 100
    assert steps["floor_dbt"]["data_tests_failing"] == {}
    assert steps["report"]["pages"] > 10
    assert steps["staff_queries"]["queries"] == 20
    assert steps["incremental_day"]["new_day_pageviews"] > 0
    # Both Dagster invocations of the full build left runs in the bench's own Dagster home.
    assert {run["job"] for run in steps["full_build"]["dagster_runs"]} >= {"refresh"}
    assert len(steps["full_build"]["dagster_runs"]) == 2


def test_docs_section_names_the_figures_and_targets(bench_result: tuple[dict, Path, Path]) -> None:
    text = bench_result[2].read_text(encoding="utf-8")
    assert "<!-- bench:tiny:begin -->" in text and "<!-- bench:tiny:end -->" in text
    assert "full build / floor" in text and "load average" in text
