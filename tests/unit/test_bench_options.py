"""The bench's step selection and its disk check, without running a step."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.run import STEPS, NotEnoughDisk, check_disk, dbt_invocation_summary, resolve_steps
from edukpi.runtime import dbt_log_results


def test_steps_bring_what_their_figures_need() -> None:
    # The x10 run: full build and its physical floor (compiled dbt SQL, publish and report included), nothing else.
    assert resolve_steps("build,physical") == ["physical", "build", "report", "dbt_floor"]
    assert resolve_steps("floor") == ["build", "report", "floor", "dbt_floor"]
    assert resolve_steps(None) == list(STEPS)


def test_an_unknown_step_is_refused_with_the_accepted_names() -> None:
    with pytest.raises(ValueError, match=r"unknown step\(s\) biuld; accepted: physical, startup, build"):
        resolve_steps("biuld,physical")


def test_disk_check_says_what_is_needed_and_what_is_free(tmp_path: Path) -> None:
    assert check_disk("build", tmp_path, 1, "tiny")["disk_free_mb"] > 0
    with pytest.raises(NotEnoughDisk, match=r"step build needs about 9313225746\.2 GB free in .* only [\d.]+ GB are free"):
        check_disk("build", tmp_path, 10**19, "build file ~13 GB")


def test_node_results_are_read_from_the_parts_dbt_rotated_out_of_its_log(tmp_path: Path) -> None:
    """dbt starts a new dbt.log every 10 MB; an x10 build's invocation wrote 12 MB, and reading dbt.log alone had
    reported 8 of its 82 models."""
    def finished(node: str, seconds: float) -> str:
        return json.dumps({"info": {"name": "NodeFinished", "ts": "2026-11-30T21:00:00Z"},
                           "data": {"node_info": {"unique_id": node}, "run_result": {"execution_time": seconds}}})

    (tmp_path / "dbt.log.2").write_text(finished("model.p.a", 1.0) + "\n", encoding="utf-8")
    (tmp_path / "dbt.log.1").write_text(finished("model.p.b", 2.0) + "\n" + finished("model.p.a", 3.0) + "\n", encoding="utf-8")
    (tmp_path / "dbt.log").write_text("plain text line\n" + finished("test.p.c", 0.5) + "\n", encoding="utf-8")
    (tmp_path / "dbt.log.bak").write_text(finished("model.p.ignored", 9.0) + "\n", encoding="utf-8")
    results = dbt_log_results(tmp_path / "dbt.log")
    # Every part read, oldest first: a node finished twice keeps its last result.
    assert {node: r["execution_time"] for node, r in results.items()} == {"model.p.a": 3.0, "model.p.b": 2.0, "test.p.c": 0.5}
    assert dbt_invocation_summary(tmp_path)["nodes"] == {"model": {"count": 2, "seconds": 5.0},
                                                         "test": {"count": 1, "seconds": 0.5}}
