"""Shared fixtures: one real pipeline run (generator → Dagster → dbt → publish → reports) on the tiny preset, in a temp dir."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from edukpi.settings import PROJECT_ROOT, Settings

TEST_OUTPUT = PROJECT_ROOT / "tests" / "output"
SPARK_CHECK_LOG = "spark_check.log"  # written by tests/e2e/test_spark_check.py, summed up by pytest_terminal_summary


@dataclass(frozen=True)
class BuiltPipeline:
    settings: Settings
    env: dict[str, str]
    log: str
    generated: str  # what `edukpi generate` printed: its summary, one `key: value` line each (values as Python literals)

    def generator_summary(self) -> dict:
        """The generator's summary of the raw files (rows per source, out_dir, …), as generator.generate returns it."""
        import ast

        summary = {}
        for line in self.generated.splitlines():
            key, _, value = line.partition(": ")
            try:
                summary[key] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                summary[key] = value
        return summary


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


def _session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temp folder the whole test session shares: with pytest-xdist each worker has its own base folder inside it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def built_pipeline(tmp_path_factory: pytest.TempPathFactory) -> BuiltPipeline:
    """Generate the tiny preset and materialise everything through the real Dagster CLI, exactly as `make run` does.

    Built once per test session: under pytest-xdist the first worker that needs it builds it while holding a file lock
    in the session's shared temp folder; another worker waits for the lock and uses the same build. Tests only read it
    (those that change files, like the crash and late-delivery scenarios, work on a copy). A failed build is recorded,
    so a second worker fails at once with the same log instead of building again."""
    shared = _session_folder(tmp_path_factory)
    root, done, failed = shared / "pipeline", shared / "pipeline.log", shared / "pipeline.failed.log"
    summary = shared / "pipeline.generated.txt"
    with open(shared / "pipeline.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists() and not failed.exists():
                shutil.rmtree(root, ignore_errors=True)
                settings, env = pipeline_env(root)
                generated = run_edukpi(["generate", "--preset", "tiny", "--seed", "7", "--out", str(settings.raw_dir),
                                        "--quiet"], env)
                summary.write_text(generated.stdout, encoding="utf-8")
                built = run_edukpi(["materialize"], env) if generated.returncode == 0 else generated
                log = built.stdout + built.stderr
                (done if built.returncode == 0 else failed).write_text(log, encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    if failed.exists():
        pytest.fail("the tiny pipeline build failed:\n" + failed.read_text(encoding="utf-8")[-8000:])
    settings, env = pipeline_env(root)
    return BuiltPipeline(settings=settings, env=env, log=done.read_text(encoding="utf-8"),
                         generated=summary.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_warehouse(built_pipeline: BuiltPipeline) -> Path:
    """The published warehouse file of the tiny pipeline run."""
    return built_pipeline.settings.warehouse_db


# The longest test modules (pytest --durations), handed to the workers first: `make test` passes --no-loadscope-reorder, so
# pytest-xdist hands out its units in this order (longest first, then the order of collection) and no long module is
# left to start last. The benchmark builds its own tiny pipeline; the Spark check (and the first test of the others on
# the pipeline build) waits for the shared one.
LONGEST_FIRST = ("e2e/test_bench.py", "e2e/test_spark_check.py", "e2e/test_reliability.py",
                 "e2e/test_real_exports_calendar.py", "e2e/test_foreign_exports.py", "integration/test_dbt_subset_order.py",
                 "integration/test_ingest_generated.py", "e2e/test_sql_concurrency.py", "integration/test_reports.py",
                 "integration/test_dbt_unit.py")


def _uses_the_pipeline(item: pytest.Item) -> bool:
    if "built_pipeline" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)  # tests/integration/test_reports.py: the `rendered` fixture's "pipeline" parameter
    return callspec is not None and callspec.params.get("rendered") == "pipeline"


# Session fixtures every worker shares (made once under a lock): they do not tie a module to one worker.
SHARED_ACROSS_WORKERS = frozenset({"built_pipeline", "built_warehouse"})


def _uses_a_shared_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(definition.scope in ("module", "session") and definition.baseid  # not pytest's or plugins' own fixtures
               for name, definitions in info.name2fixturedefs.items() if name not in SHARED_ACROSS_WORKERS
               for definition in definitions)


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

    `make test` runs two pytest-xdist workers with `--dist loadgroup`: the tests on the session's tiny pipeline build are
    shared out like the others (the build itself is made once, see `built_pipeline`), the benchmark's tests stay
    together, and so do those of a module sharing a module-scoped fixture. Without xdist the groups change nothing. The
    longest modules come first (LONGEST_FIRST)."""
    for item in items:
        tier = _tier(item)
        item.add_marker(getattr(pytest.mark, tier))
        if _uses_the_pipeline(item):
            if tier == "unit":
                raise pytest.UsageError(f"{item.nodeid}: a unit test may not use the pipeline build; move it to tests/e2e")
            if tier != "e2e":
                item.add_marker(pytest.mark.e2e)
        if item.path.name == "test_bench.py":
            item.add_marker(pytest.mark.xdist_group("bench"))
        elif _uses_a_shared_fixture(item):
            # A module- or session-scoped fixture runs once per worker that runs one of its tests: a module whose tests
            # share one (a generated preset loaded through Dagster, a build of the foreign corpus) stays on one worker.
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(f"{item.path.parent.name}/{item.path.name}", len(LONGEST_FIRST)))  # stable


_STARTED = pytest.StashKey[float]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STARTED] = time.time()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """The Spark check's versions and verdict in the session's summary: it runs on a pytest-xdist worker, whose own
    output the terminal does not show (the whole output: tests/output/spark_check.log)."""
    log = TEST_OUTPUT / SPARK_CHECK_LOG
    if not log.exists() or log.stat().st_mtime < config.stash.get(_STARTED, 0.0):
        return
    lines = [line for line in log.read_text(encoding="utf-8").splitlines()
             if line.startswith(("java:", "spark:", "spark-check:", "duckdb:"))]
    terminalreporter.write_sep("-", "Spark check (DuckDB and Spark, every published table)")
    for line in lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"whole output: {log}")
