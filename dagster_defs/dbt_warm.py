"""A dbt process started ahead of its step, so that dbt's imports do not wait for it.

Every dbt invocation of a Dagster step is a new `dbt` process, and ~1.6 s of it (of a one-day refresh's ~15 s) is Python
importing dbt-core and its DuckDB adapter before dbt does anything. `edukpi materialize` starts one such process (`serve`)
before it loads Dagster: dbt's imports then run on the second core while Dagster starts and the raw tables load.

The dbt steps run `edukpi-dbt` (this module's `client`, the `dbt_executable` of the project's dbt resource) instead of
`dbt`, with the same arguments. When the run's environment names a ready process (EDUKPI_DBT_WARM_SOCKET), the client
hands it its arguments, environment, working folder and standard streams, and exits with the code dbt exits with: dbt
runs the same command line (`dbt.cli.main.cli`, as the `dbt` script does) in a process of its own, writes to the
client's output (which dagster-dbt reads as from `dbt`) and serves no other invocation. Otherwise, or when the process is
already taken (a second dbt invocation of the same run), the client becomes the `dbt` executable itself (exec).
A Ctrl-C or a Dagster termination reaching the client is passed on to the dbt process.

For a refresh of some days (`edukpi materialize --days`), while it waits, the process also parses the dbt project
(`dbt parse` from the build's saved partial-parse state, Settings.dbt_parse_state), and the invocation then runs on that
manifest instead of parsing again (~0.7 s of a one-day refresh). It does so only when nothing dbt's parse reads can differ: the same target, no --vars, the same EDUKPI_* and
DBT_* variables (but the few read only while dbt executes: EXECUTION_ENV), the same project files (paths, sizes and
times), the same folder; otherwise the invocation parses as `dbt` does.

Standard library only at import: the client starts in ~30 ms.
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

SOCKET_ENV = "EDUKPI_DBT_WARM_SOCKET"
# Variables of a dbt step that dbt reads only while it executes, never while it parses (dagster_defs/assets/dbt.py: the
# analytics window of the daily models, the test selection): a different value leaves a parsed-ahead manifest valid.
# dagster-dbt's own: where dbt writes its logs and artifacts, and the project folder (compared on its own).
EXECUTION_ENV = frozenset({"EDUKPI_MIN_DATE", "EDUKPI_MAX_DATE", "DBT_INDIRECT_SELECTION", SOCKET_ENV,
                           "DBT_LOG_PATH", "DBT_LOG_FORMAT", "DBT_TARGET_PATH", "DBT_PROJECT_DIR"})
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
READY = b"R"
# How long a started process waits for its invocation before it ends on its own (a run that fails before its dbt step).
IDLE_TIMEOUT_S = 3600


def real_dbt() -> str:
    """The venv's dbt script (beside this Python)."""
    return str(Path(sys.executable).with_name("dbt"))


# ----------------------------------------------------------------------------------------------------------------------
# The command side: `edukpi materialize` starts and ends it


class WarmDbt:
    """A started `serve` process and its socket; `close()` ends it if no invocation took it, and removes the socket."""

    def __init__(self, env: dict[str, str], parse_ahead: bool = False) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="edukpi-dbt-"))
        self.socket_path = self.folder / "dbt.sock"
        # Listening before the process starts: a client connecting at once waits in the backlog, never finds no socket.
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.socket_path))
        listener.listen(4)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dagster_defs.dbt_warm", "serve", str(self.socket_path), str(listener.fileno()),
             str(os.getpid()), "parse-ahead" if parse_ahead else "no-parse"],
            pass_fds=[listener.fileno()],
            # Its own streams until it takes an invocation: nothing (multiprocessing's resource tracker, which it starts
            # while importing dbt, keeps them and would report dbt's semaphores on the command's terminal at the end).
            env={**env, "PYTHONUNBUFFERED": "1"}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
        listener.close()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                # Taken by a dbt step that is still running (a run interrupted): it ends with its client. Not taken: end it.
                self.process.terminate()
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def start(env: dict[str, str], parse_ahead: bool = False) -> WarmDbt:
    """Start a dbt process for the next dbt invocation of this process's runs; their dbt steps find it through
    EDUKPI_DBT_WARM_SOCKET, which this sets in this process's environment (dagster-dbt passes it on to the client).
    `parse_ahead`: it also parses the project while it waits (a refresh of some days, where the parse is a good part of
    the dbt step; a full build's ingestion takes minutes, and the parsed manifest would be held through it: at x10 the
    build's peak memory, summed over its processes, rose from 3,942 to 4,120 MB with it)."""
    warm = WarmDbt(env, parse_ahead)
    os.environ[SOCKET_ENV] = str(warm.socket_path)
    return warm


# ----------------------------------------------------------------------------------------------------------------------
# The dbt process


def _remove_folder(socket_path: str) -> None:
    """The socket's folder, with the socket and the parse done ahead (the command's close() removes it too, unless the
    command was killed)."""
    shutil.rmtree(Path(socket_path).parent, ignore_errors=True)


def serve(socket_path: str, listener_fd: int, parent_pid: int, parse_ahead: bool = False) -> None:
    listener = socket.socket(fileno=listener_fd)  # a client connecting during the imports waits in the backlog
    import dbt.adapters.duckdb  # noqa: F401  the adapter the build profile uses (~0.4 s)
    import dbt.task.build  # noqa: F401
    from dbt.cli.main import cli

    parsed = _parse_ahead(Path(socket_path).parent / "parse") if parse_ahead else None
    listener.settimeout(2.0)
    waited = 0.0
    while True:
        try:
            connection, _ = listener.accept()
            break
        except TimeoutError:
            waited += 2.0
            if os.getppid() != parent_pid or waited > IDLE_TIMEOUT_S:
                # The command that started it is gone (killed: it removed nothing), or never ran dbt.
                _remove_folder(socket_path)
                return
    # One invocation per process: no other client is served (they exec dbt themselves).
    listener.close()
    Path(socket_path).unlink(missing_ok=True)
    connection.sendall(READY)
    header = _recv_exactly(connection, 8)
    (length,) = struct.unpack("!Q", header)
    message, fds, _, _ = socket.recv_fds(connection, length, 3)
    while len(message) < length:
        message += _recv_exactly(connection, length - len(message))
    request = json.loads(message)
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [real_dbt(), *request["args"]]
    manifest = parsed.manifest_for(request) if parsed else None
    try:
        if manifest is None:
            cli(args=request["args"], prog_name="dbt")  # standalone: ends with SystemExit, as the dbt script does
            code = 0
        else:
            code = _invoke_with(manifest, request["args"])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except KeyboardInterrupt:
        code = 130
    _remove_folder(socket_path)
    # What the end of a `dbt` process does, before the client learns the code: the exit handlers close what dbt left open
    # (dbt-duckdb closes the build file there, which writes its WAL into it: the next step, or a copy of the file, sees
    # every table). Not the rest of an interpreter's shutdown: some dbt commands (`debug`) leave threads it would wait for.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    # The client's streams are let go before it learns the code: its reader sees the end of dbt's output when the client
    # ends.
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(devnull, target)
    connection.sendall(struct.pack("!i", code))
    os._exit(0)


class ParsedAhead:
    """The manifest of a `dbt parse` run while the process waited, and what it was parsed from."""

    def __init__(self, manifest, folder: Path, target: str, env: dict[str, str], files: tuple, cwd: str) -> None:
        self.manifest, self.folder, self.target, self.env, self.files, self.cwd = manifest, folder, target, env, files, cwd

    def manifest_for(self, request: dict):
        """The manifest when the invocation would parse the same project the same way; None otherwise. The parse's
        partial-parse state goes into the invocation's target folder, where a parsing dbt would have written it."""
        args, env = request["args"], request["env"]
        project_dir = _option(args, "--project-dir") or env.get("DBT_PROJECT_DIR") or request["cwd"]
        if (_option(args, "--target") or env.get("DBT_TARGET")) != self.target or "--vars" in args \
                or request["cwd"] != self.cwd or Path(self.cwd, project_dir).resolve() != Path(self.cwd).resolve() \
                or _parse_env(env) != self.env or _project_files(Path(self.cwd)) != self.files:
            return None
        target_path = Path(self.cwd) / (_option(args, "--target-path") or request["env"].get("DBT_TARGET_PATH") or "target")
        written = self.folder / "target" / PARTIAL_PARSE_FILE
        if written.exists():
            target_path.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(written, target_path / PARTIAL_PARSE_FILE)
        return self.manifest


def _option(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _parse_env(env: dict[str, str]) -> dict[str, str]:
    """The variables a dbt parse of this project may read: the project's and dbt's own."""
    return {name: value for name, value in env.items()
            if name.startswith(("EDUKPI_", "DBT_")) and name not in EXECUTION_ENV}


def _project_files(project_dir: Path) -> tuple:
    """Every file of the dbt project (not its run folders) and of the reference folder its seeds are read from
    (EDUKPI_REFERENCE_DIR), with its size and time: a change between the parse and the invocation is seen."""
    seen = []
    folders = [project_dir / name for name in ("models", "macros", "tests", "seeds", "snapshots", "analyses")]
    if os.environ.get("EDUKPI_REFERENCE_DIR"):
        folders.append(Path(os.environ["EDUKPI_REFERENCE_DIR"]))
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                seen.append((str(path), stat.st_size, stat.st_mtime_ns))
    for path in sorted(project_dir.glob("*.yml")):
        stat = path.stat()
        seen.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(seen)


def _parse_ahead(folder: Path) -> ParsedAhead | None:
    """`dbt parse` of the project for the build this process's environment names, from that build's saved partial-parse
    state (Settings.dbt_parse_state), into `folder`; None when the parse fails (the invocation then parses itself, as
    `dbt` does)."""
    try:
        from dbt.cli.main import dbtRunner

        from edukpi.settings import DBT_PROJECT_DIR, Settings

        settings = Settings.from_env(os.environ)
        (folder / "target").mkdir(parents=True)
        if settings.dbt_parse_state.exists():
            shutil.copyfile(settings.dbt_parse_state, folder / "target" / PARTIAL_PARSE_FILE)
        files = _project_files(DBT_PROJECT_DIR)
        os.chdir(DBT_PROJECT_DIR)
        result = dbtRunner().invoke(["parse", "--target", settings.dbt_target, "--target-path", str(folder / "target"),
                                     "--log-path", str(folder / "logs"), "--no-write-json", "--quiet"])
        if not result.success or result.result is None:
            return None
        return ParsedAhead(result.result, folder, settings.dbt_target, _parse_env(dict(os.environ)), files,
                           str(DBT_PROJECT_DIR))
    except Exception:  # noqa: BLE001  an optimisation only: the invocation parses as dbt does
        return None


def _invoke_with(manifest, args: list[str]) -> int:
    """The dbt command line on an already parsed manifest (what `dbtRunner(manifest=…)` does), with the exit codes of
    the `dbt` script: 0 done, 1 a node failed, 2 dbt failed."""
    import click

    from dbt.cli.main import cli

    try:
        with cli.make_context("dbt", list(args)) as context:
            context.obj = {"manifest": manifest, "callbacks": [], "dbt_runner_command_args": list(args)}
            cli.invoke(context)
        return 0
    except click.exceptions.Exit as exit_:  # dbt's ResultExit (1) and ExceptionExit (2)
        return exit_.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code


def _recv_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the other side closed the connection")
        data += chunk
    return data


# ----------------------------------------------------------------------------------------------------------------------
# The `edukpi-dbt` executable of the dbt steps


def _take(socket_path: str) -> socket.socket | None:
    """A connection to a ready dbt process that took this invocation, or None (no process, or another took it)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_path)
        if connection.recv(1) == READY:
            return connection
    except OSError:
        pass
    connection.close()
    return None


def client(args: list[str]) -> int:
    socket_path = os.environ.get(SOCKET_ENV)
    connection = _take(socket_path) if socket_path else None
    if connection is None:
        os.execv(real_dbt(), [real_dbt(), *args])
    pid, _, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda number, _frame: os.kill(pid, number))
    env = {name: value for name, value in os.environ.items() if name != SOCKET_ENV}
    message = json.dumps({"args": args, "env": env, "cwd": os.getcwd()}).encode()
    connection.sendall(struct.pack("!Q", len(message)))
    socket.send_fds(connection, [message], [0, 1, 2])
    try:
        (code,) = struct.unpack("!i", _recv_exactly(connection, 4))
    except ConnectionError:
        print(f"edukpi-dbt: the dbt process (pid {pid}) ended without an exit code", file=sys.stderr)
        return 2
    return code


def client_main() -> None:
    sys.exit(client(sys.argv[1:]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:6] == ["parse-ahead"])
    else:
        client_main()
