"""The bench's step selection and its disk check, without running a step."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import STEPS, NotEnoughDisk, check_disk, resolve_steps


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
