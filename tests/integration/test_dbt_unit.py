"""Every dbt unit test, with the real dbt CLI, on a DuckDB file of its own (the Dagster builds leave them out).

One `dbt build --exclude-resource-type test` on empty raw tables: seeds and models are built in DAG order and each model's
unit tests run just before it, once its parents exist (dbt reads the parents' columns for the fixtures). Data tests are
not run here (they check data, and the Dagster builds run them). Artifacts and logs go to the temp dir, not
dbt_project/target.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from ingestion.contracts import raw_schema_ddl
from edukpi.settings import DBT_PROJECT_DIR, DEFAULT_REFERENCE_DIR, Settings

# The project's unit tests (every model's unit_tests in the ymls). Change it when adding or removing one: it catches a
# unit test that stops being collected (disabled, wrong model name, yml not parsed).
EXPECTED_UNIT_TESTS = 46


def test_every_dbt_unit_test_passes(tmp_path: Path) -> None:
    build_db = tmp_path / "unit.duckdb"
    with duckdb.connect(str(build_db)) as con:
        # the raw tables exactly as ingestion creates them, empty: the staging views select from them
        for statement in raw_schema_ddl():
            con.execute(statement)
    target = tmp_path / "target"
    reference_before = {p.name: p.read_bytes() for p in DEFAULT_REFERENCE_DIR.glob("*.csv")}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EDUKPI_", "DBT_"))},
        "EDUKPI_BUILD_DB": str(build_db),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "EDUKPI_REFERENCE_SEED_PATH": Settings.from_env({}).dbt_seed_path,
    }
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "build", "--exclude-resource-type", "test", "--project-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(target), "--log-path", str(tmp_path / "logs")],
        env=env, cwd=tmp_path, capture_output=True, text=True,
    )
    log = done.stdout + done.stderr

    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    expected = set(manifest["unit_tests"])
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    status = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}

    not_passed = {uid: status.get(uid, "did not run") for uid in expected if status.get(uid) != "pass"}
    assert not not_passed, f"dbt unit tests not passing: {not_passed}\n{log[-6000:]}"
    assert done.returncode == 0, log[-6000:]
    assert set(status) == expected
    assert len(expected) == EXPECTED_UNIT_TESTS, sorted(expected)
    # the seeds are read from data/reference, and dbt's run files never land on them
    assert {p.name: p.read_bytes() for p in DEFAULT_REFERENCE_DIR.glob("*.csv")} == reference_before
    seeds = {n["name"]: n["original_file_path"] for n in manifest["nodes"].values() if n["resource_type"] == "seed"}
    assert seeds == {p.stem: f"../data/reference/{p.name}" for p in DEFAULT_REFERENCE_DIR.glob("*.csv")}
    assert {"unit_registry", "unit_type_quota", "feedback_category_sla"} <= set(seeds)
