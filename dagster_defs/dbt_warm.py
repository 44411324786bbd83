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

    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="edukpi-dbt-"))
        self.socket_path = self.folder / "dbt.sock"
        # Listening before the process starts: a client connecting at once waits in the backlog, never finds no socket.
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.socket_path))
        listener.listen(4)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dagster_defs.dbt_warm", "serve", str(self.socket_path), str(listener.fileno()),
             str(os.getpid())],
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


def start(env: dict[str, str]) -> WarmDbt:
    """Start a dbt process for the next dbt invocation of this process's runs; their dbt steps find it through
    EDUKPI_DBT_WARM_SOCKET, which this sets in this process's environment (dagster-dbt passes it on to the client)."""
    warm = WarmDbt(env)
    os.environ[SOCKET_ENV] = str(warm.socket_path)
    return warm


# ----------------------------------------------------------------------------------------------------------------------
# The dbt process


def _remove_socket(socket_path: str) -> None:
    """The socket and its folder (the command's close() removes them too, unless the command was killed)."""
    Path(socket_path).unlink(missing_ok=True)
    try:
        Path(socket_path).parent.rmdir()
    except OSError:
        pass


def serve(socket_path: str, listener_fd: int, parent_pid: int) -> None:
    listener = socket.socket(fileno=listener_fd)  # a client connecting during the imports waits in the backlog
    import dbt.adapters.duckdb  # noqa: F401  the adapter the build profile uses (~0.4 s)
    import dbt.task.build  # noqa: F401
    from dbt.cli.main import cli

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
                _remove_socket(socket_path)
                return
    # One invocation per process: no other client is served (they exec dbt themselves).
    listener.close()
    _remove_socket(socket_path)
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
    try:
        cli(args=request["args"], prog_name="dbt")  # standalone: ends with SystemExit, as the dbt script does
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except KeyboardInterrupt:
        code = 130
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
        serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        client_main()
