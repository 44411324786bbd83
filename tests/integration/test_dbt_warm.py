"""The dbt process `edukpi materialize` starts ahead (dagster_defs/dbt_warm.py): the `edukpi-dbt` executable of the dbt
steps hands it one invocation, which gets the client's arguments, working folder, environment and output and ends with
dbt's exit code; every other invocation is `dbt` itself."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dagster_defs import dbt_warm
from edukpi.runtime import runtime_env
from edukpi.settings import DBT_PROJECT_DIR, Settings

CLIENT = Path(sys.executable).with_name("edukpi-dbt")


def _client(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLIENT), *args], env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=120)


@pytest.fixture
def warm(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(dbt_warm.SOCKET_ENV, raising=False)
    started = dbt_warm.start(dict(os.environ))
    monkeypatch.setenv(dbt_warm.SOCKET_ENV, str(started.socket_path))  # start() set it; monkeypatch undoes it
    yield started
    started.close()


def _served_by(warm: dbt_warm.WarmDbt) -> bool:
    """The started process took an invocation and ended: it serves one only, then removes its socket."""
    for _ in range(100):
        if warm.process.poll() is not None:
            break
        time.sleep(0.05)
    return warm.process.poll() == 0 and not warm.socket_path.exists()


def test_the_started_process_runs_one_invocation_with_the_clients_output_and_exit_code(warm: dbt_warm.WarmDbt) -> None:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    served = _client("--version", env=env)
    assert served.returncode == 0, served.stderr
    assert "Core:" in served.stdout and "duckdb" in served.stdout
    assert _served_by(warm)
    # The next invocation finds no process: the client is dbt itself, with the same output.
    direct = _client("--version", env=env)
    assert direct.returncode == 0 and "Core:" in direct.stdout


def test_a_failing_invocation_ends_with_dbts_exit_code(warm: dbt_warm.WarmDbt) -> None:
    env = dict(os.environ)
    served = _client("--no-such-option", env=env)
    direct = subprocess.run([dbt_warm.real_dbt(), "--no-such-option"], cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
                            env={k: v for k, v in env.items() if k != dbt_warm.SOCKET_ENV}, timeout=120)
    assert direct.returncode == 2  # click's usage error
    assert served.returncode == direct.returncode
    assert "No such option" in served.stderr + served.stdout
    assert _served_by(warm)


def test_the_invocation_gets_the_clients_environment_and_folder(warm: dbt_warm.WarmDbt, tmp_path: Path) -> None:
    # `dbt debug --config-dir` prints the profiles folder dbt resolves from DBT_PROFILES_DIR, set only in the client's env.
    env = {**os.environ, "DBT_PROFILES_DIR": str(tmp_path)}
    served = _client("debug", "--config-dir", env=env)
    assert served.returncode == 0, served.stdout + served.stderr
    assert str(tmp_path) in served.stdout
    assert _served_by(warm)


def test_without_a_started_process_the_client_is_dbt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = {**os.environ, dbt_warm.SOCKET_ENV: str(tmp_path / "nobody.sock")}
    result = _client("--version", env=env)
    assert result.returncode == 0 and "Core:" in result.stdout


def test_the_served_invocation_leaves_its_duckdb_file_closed(warm: dbt_warm.WarmDbt, tmp_path: Path) -> None:
    """dbt-duckdb closes the build file when the process ends (an exit handler), which writes the WAL into the file. The
    served invocation does that before the client ends: the next step opens the file, and a copy of the file alone
    (`edukpi nudges` copies the build file) holds every table."""
    settings = Settings(raw_dir=tmp_path / "raw", build_db=tmp_path / "build" / "warehouse.duckdb",
                        warehouse_db=tmp_path / "warehouse.duckdb", reports_dir=tmp_path / "reports", hmac_key=None)
    settings.build_db.parent.mkdir()
    env = {**runtime_env(settings, dagster_home=tmp_path / "dagster"), dbt_warm.SOCKET_ENV: str(warm.socket_path),
           "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "target")}
    served = _client("seed", "--select", "unit_type_quota", env=env)
    assert served.returncode == 0, served.stdout[-3000:]
    assert _served_by(warm)
    assert not settings.build_db.with_name("warehouse.duckdb.wal").exists()
    copy = tmp_path / "copy" / "warehouse.duckdb"
    copy.parent.mkdir()
    copy.write_bytes(settings.build_db.read_bytes())
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("select count(*) from reference.unit_type_quota").fetchone()[0] > 0


def test_a_killed_command_leaves_no_socket_folder_behind(tmp_path: Path) -> None:
    """`edukpi materialize` killed (SIGKILL: its close() never runs): the started process sees its parent gone, ends,
    and removes its socket and folder (a day of tests had left a folder in /tmp per killed run)."""
    script = ("import os, sys, time; from dagster_defs import dbt_warm; w = dbt_warm.start(dict(os.environ)); "
              "print(w.process.pid, w.folder, flush=True); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=Path(dbt_warm.__file__).parents[1])
    pid, folder = parent.stdout.readline().split()
    assert Path(folder, "dbt.sock").exists()
    parent.kill()
    parent.wait()
    for _ in range(200):  # it looks for its parent every 2 s
        if not Path(folder).exists():
            break
        time.sleep(0.05)
    assert not Path(folder).exists()
    status = Path(f"/proc/{pid}/status")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if "\nState:\tZ" in status.read_text():
                break  # ended; its new parent has not reaped it yet
        except FileNotFoundError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the started dbt process {pid} is still running after its command was killed")


def _build_env(tmp_path: Path, warm_socket: Path | None = None) -> tuple[Settings, dict[str, str]]:
    settings = Settings(raw_dir=tmp_path / "raw", build_db=tmp_path / "build" / "warehouse.duckdb",
                        warehouse_db=tmp_path / "warehouse.duckdb", reports_dir=tmp_path / "reports", hmac_key=None)
    settings.build_db.parent.mkdir(exist_ok=True)
    env = runtime_env(settings, dagster_home=tmp_path / "dagster",
                      base={k: v for k, v in os.environ.items() if not k.startswith("EDUKPI_") and k != dbt_warm.SOCKET_ENV})
    return settings, env


def _parsed_in_the_invocation(dbt_log: Path) -> bool:
    """dbt logs how it parsed (partially, or in full and why) only when it parses."""
    text = dbt_log.read_text(encoding="utf-8").lower()
    return "partial pars" in text or "full parse" in text


@pytest.mark.parametrize("same_settings", [True, False], ids=["same settings", "another memory limit"])
def test_the_invocation_runs_on_the_project_parsed_ahead_only_when_nothing_differs(tmp_path: Path,
                                                                                 same_settings: bool) -> None:
    """The started process parses the project while it waits; an invocation with the same settings runs on that manifest
    (its own log shows no parse, and the parse state lands in its target folder for the next invocation), one whose
    settings differ (a profile variable) parses as dbt does. Both seed the same table."""
    settings, env = _build_env(tmp_path)
    warm = dbt_warm.WarmDbt(env, parse_ahead=True)
    try:
        client_env = {**env, dbt_warm.SOCKET_ENV: str(warm.socket_path), "DBT_TARGET_PATH": str(tmp_path / "target"),
                      "DBT_LOG_PATH": str(tmp_path / "logs"), "EDUKPI_MIN_DATE": "2024-01-01"}
        if not same_settings:
            client_env["EDUKPI_DUCKDB_MEMORY_LIMIT"] = "2GB"
        served = _client("seed", "--select", "unit_type_quota", env=client_env)
        assert served.returncode == 0, served.stdout[-3000:]
        assert _served_by(warm)
        assert not warm.folder.exists()  # the socket and the parse done ahead, removed by the process itself
    finally:
        warm.close()
    assert _parsed_in_the_invocation(tmp_path / "logs" / "dbt.log") is not same_settings
    assert (tmp_path / "target" / dbt_warm.PARTIAL_PARSE_FILE).exists()
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        assert con.execute("select count(*) from reference.unit_type_quota").fetchone()[0] > 0


def test_a_project_file_changed_after_the_parse_is_seen(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "a.sql"
    model.write_text("select 1", encoding="utf-8")
    before = dbt_warm._project_files(tmp_path)
    assert dbt_warm._project_files(tmp_path) == before
    model.write_text("select 2", encoding="utf-8")
    os.utime(model, ns=(model.stat().st_atime_ns, model.stat().st_mtime_ns + 1_000_000))
    assert dbt_warm._project_files(tmp_path) != before
    (tmp_path / "models" / "b.sql").write_text("select 3", encoding="utf-8")
    assert len(dbt_warm._project_files(tmp_path)) == len(before) + 1
