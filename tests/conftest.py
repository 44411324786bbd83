"""Shared fixtures: one real pipeline run (generator → Dagster → dbt → publish → reports) on the tiny preset, in a temp dir."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from edukpi.settings import PROJECT_ROOT, Settings

TEST_OUTPUT = PROJECT_ROOT / "tests" / "output"


@dataclass(frozen=True)
class BuiltPipeline:
    settings: Settings
    env: dict[str, str]
    log: str


def pipeline_env(root: Path) -> tuple[Settings, dict[str, str]]:
    """Settings of a build under `root` and the environment of its processes, from the one place that builds it
    (edukpi/runtime.py), with a Dagster home of its own; none of this process's EDUKPI_* settings leak in."""
    from edukpi.runtime import runtime_env

    settings = Settings(
        raw_dir=root / "raw",
        build_db=root / "build" / "warehouse.duckdb",
        warehouse_db=root / "warehouse.duckdb",
        reports_dir=root / "reports",
        hmac_key=None,
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("EDUKPI_")}
    return settings, runtime_env(settings, dagster_home=root / "dagster_home", base=base)


def run_edukpi(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    edukpi = Path(sys.executable).with_name("edukpi")
    return subprocess.run([str(edukpi), *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)


@pytest.fixture(scope="session")
def built_pipeline(tmp_path_factory: pytest.TempPathFactory) -> BuiltPipeline:
    """Generate the tiny preset and materialise everything through the real Dagster CLI, exactly as `make run` does."""
    root = tmp_path_factory.mktemp("pipeline")
    settings, env = pipeline_env(root)
    generated = run_edukpi(["generate", "--preset", "tiny", "--seed", "7", "--out", str(settings.raw_dir), "--quiet"], env)
    assert generated.returncode == 0, generated.stderr
    built = run_edukpi(["materialize"], env)
    log = built.stdout + built.stderr
    assert built.returncode == 0, log[-8000:]
    return BuiltPipeline(settings=settings, env=env, log=log)


@pytest.fixture(scope="session")
def built_warehouse(built_pipeline: BuiltPipeline) -> Path:
    """The published warehouse file of the tiny pipeline run."""
    return built_pipeline.settings.warehouse_db


def _uses_the_pipeline(item: pytest.Item) -> bool:
    if "built_pipeline" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)  # tests/integration/test_reports.py: the `rendered` fixture's "pipeline" parameter
    return callspec is not None and callspec.params.get("rendered") == "pipeline"


def _uses_a_shared_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(definition.scope in ("module", "session") and definition.baseid  # not pytest's or plugins' own fixtures
               for definitions in info.name2fixturedefs.values() for definition in definitions)


TIERS = ("unit", "integration", "e2e")  # folders under tests/, and the pytest markers of their tests


def _tier(item: pytest.Item) -> str:
    folder = item.path.parent.name
    if folder not in TIERS:
        raise pytest.UsageError(f"{item.path}: every test lives in tests/unit, tests/integration or tests/e2e (its tier)")
    return folder


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups (its hook has no order of its own)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tiers: each test is marked with its folder (`-m unit`, `make test-fast`), and a test on the tiny pipeline build is
    also marked e2e wherever it lives (tests/integration/test_reports.py renders that build too); a unit test may not use it.

    `make test` runs two pytest-xdist workers with `--dist loadgroup`: every test on the session's tiny pipeline build goes
    to one worker (the build is a session fixture, so a second worker would build it again); the benchmark test, the other
    long one, to the other; the rest is shared out. Without xdist the groups change nothing."""
    for item in items:
        tier = _tier(item)
        item.add_marker(getattr(pytest.mark, tier))
        if _uses_the_pipeline(item):
            if tier == "unit":
                raise pytest.UsageError(f"{item.nodeid}: a unit test may not use the pipeline build; move it to tests/e2e")
            if tier != "e2e":
                item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("pipeline"))
        elif item.path.name == "test_bench.py":
            item.add_marker(pytest.mark.xdist_group("bench"))
        elif _uses_a_shared_fixture(item):
            # A module- or session-scoped fixture runs once per worker that runs one of its tests: a module whose tests
            # share one (a generated preset loaded through Dagster, a build of the foreign corpus) stays on one worker.
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
