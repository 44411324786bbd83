"""The Spark engine gives the same published marts as DuckDB: every published table of the session's tiny pipeline build
(DuckDB, the `built_pipeline` fixture the other e2e tests share) compared with the same models built on Spark from the
same raw tables (tests/spark_check.py).

Part of `make test`, marked `spark` (`make spark-check` runs it alone). It needs the `spark` extra (pyspark, dbt-spark)
and Java 17, which `make install` does not bring: `make test` and `make spark-check` install both (`make java`, the
extra into the venv). PRESET_SPARK_CHECK=sample builds that preset on both engines instead of using the fixture.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edukpi.settings import PROJECT_ROOT
from tests.conftest import SPARK_CHECK_LOG, TEST_OUTPUT, BuiltPipeline

pytestmark = pytest.mark.spark


def test_spark_check_tiny_preset_marts_identical(request: pytest.FixtureRequest, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The real dbt-spark on a local pyspark, one dbt build from the DuckDB build's raw tables, then every published table
    compared row for row with DuckDB's published warehouse."""
    missing = [what for what, found in (("the spark extra (pyspark, dbt-spark)", importlib.util.find_spec("pyspark")),
                                         ("java (Java 17)", shutil.which("java"))) if not found]
    if missing:
        pytest.fail(f"the Spark check needs {' and '.join(missing)}: `make test` and `make spark-check` install them "
                    "(`make java`; pip install -e '.[dev,spark]')")
    preset = os.environ.get("PRESET_SPARK_CHECK", "tiny")
    command = [sys.executable, "-m", "tests.spark_check", "--preset", preset, "--work-dir", str(tmp_path)]
    if preset == "tiny":
        built: BuiltPipeline = request.getfixturevalue("built_pipeline")
        command += ["--duckdb-build-db", str(built.settings.build_db),
                    "--duckdb-warehouse", str(built.settings.warehouse_db)]
    if os.environ.get("SPARK_CHECK_DATA_TESTS") == "1":
        command.append("--data-tests")
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    output = done.stdout + done.stderr
    # For the session's summary (tests/conftest.py prints its versions and verdict lines: under pytest-xdist a worker's
    # own output is not shown), and to read after a failure.
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    (TEST_OUTPUT / SPARK_CHECK_LOG).write_text(output, encoding="utf-8")
    with capsys.disabled():
        # the versions it ran with, the build times and every table's verdict (with the first differing rows), in the log
        print("\n" + done.stdout + done.stderr[-4000:])
    assert done.returncode == 0, output[-8000:]
    assert "java: openjdk version \"17" in done.stdout, done.stdout[:500]
    compared = [line.strip() for line in done.stdout.splitlines()
                if line.startswith("  ") and line.strip().endswith(("identical", "DIFFERS"))]
    # every mart of the project and the reference tables, none left out
    marts = sorted(path.stem for path in (PROJECT_ROOT / "dbt_project" / "models" / "marts").glob("*.sql"))
    assert sorted(line.split(":")[0] for line in compared if line.startswith("marts.")) == [f"marts.{m}" for m in marts]
    assert all(line.endswith("identical") for line in compared), compared
