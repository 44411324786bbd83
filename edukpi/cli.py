"""`edukpi`: the single command line of the project (generate, materialize, report, nudges, sql, bench)."""
from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from pathlib import Path
from typing import TextIO

from edukpi.runtime import analytics_window, project_env, runtime_env
from edukpi.settings import PROJECT_ROOT, Settings

# The ingestion's progress message over a range of days (dagster_defs/assets/ingestion.py), shown on the terminal.
DAY_PROGRESS = re.compile(r"^\w+: \d+ of \d+ days loaded")


def _parse_days(text: str) -> tuple[str, str]:
    import datetime as dt

    first, _, last = text.partition("...")
    try:
        days = [dt.date.fromisoformat(d).isoformat() for d in (first, last or first)]
    except ValueError:
        raise SystemExit(f"edukpi materialize --days: {text!r} is not a day or a range of days (2025-07-01 or 2025-06-28...2025-07-01)")
    if days[0] > days[1]:
        raise SystemExit(f"edukpi materialize --days: {text!r} ends before it starts")
    return days[0], days[1]


class _Tee:
    """A text stream writing to several (the log file and, with --verbose, the terminal)."""

    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()

    def isatty(self) -> bool:
        return False


def _cause_lines(error) -> list[str]:
    """The exception the step's own code raised, under Dagster's "Error occurred while executing op" wrapper: what the
    analyst must read (a missing key, a file that cannot be read), its first lines. Empty when there is no cause."""
    cause = error.cause if error else None
    while cause is not None and cause.cause is not None:
        cause = cause.cause
    return cause.message.strip().splitlines()[:6] if cause is not None else []


_NAME_LIST = re.compile(r"\[('[^']*'(?:, '[^']*')*)\]")


def _without_repeats(message: str) -> str:
    """Dagster's skip messages list a multi-asset step once per asset ("['edukpi_dbt', 'edukpi_dbt', …]" 95 times): each
    name once."""
    return _NAME_LIST.sub(lambda m: "[" + ", ".join(dict.fromkeys(m.group(1).split(", "))) + "]", message)


class RunProgress:
    """What a person at the terminal sees of a Dagster run: a line per step when it starts and when it ends, with rows
    loaded and quarantined, checks and seconds, and the ingestion's day-by-day progress over a range of days.

    Fed every event of the run (`DagsterInstance.add_event_listener`); the full event log goes to a file instead.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.metadata: dict[str, dict[str, dict[str, object]]] = {}  # step -> asset -> metadata of its last materialisation
        self.checks: dict[str, list[tuple[str, bool, str]]] = {}  # step -> (check, passed, description)

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def on_event(self, entry) -> None:
        from dagster import DagsterEventType

        step = entry.step_key
        event = entry.dagster_event
        if event is None:  # a message of the asset's own code (context.log)
            if step and (entry.level >= logging.WARNING or DAY_PROGRESS.match(entry.user_message)):
                self._say(f"      {_without_repeats(entry.user_message)}")
            return
        kind = event.event_type
        if kind == DagsterEventType.STEP_START:
            self._say(f"  … {step.replace('__', '/')}")
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            self.metadata.setdefault(step, {})[materialization.asset_key.to_user_string()] = {
                name: getattr(value, "value", value) for name, value in materialization.metadata.items()
            }
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            self.checks.setdefault(step, []).append(
                (f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}", evaluation.passed,
                 evaluation.description or "")
            )
        elif kind == DagsterEventType.STEP_SUCCESS:
            seconds = event.event_specific_data.duration_ms / 1000
            self._say(f"  ✓ {self._step_summary(step):<78} {seconds:7.1f} s")
            for name, passed, description in self.checks.get(step, []):
                if not passed:
                    self._say(f"      ! check {name} did not pass{': ' + description if description else ''}")
        elif kind == DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            message = (error.message if error else event.message or "").strip().splitlines()
            self._say(f"  ✗ {step} failed: {message[0] if message else ''}")
            for line in [*message[1:6], *_cause_lines(error)]:
                self._say(f"      {line}")
        elif kind == DagsterEventType.RUN_FAILURE:
            self._say(f"  ✗ {event.message}")

    def _step_summary(self, step: str) -> str:
        assets = self.metadata.get(step, {})
        checks = self.checks.get(step, [])
        parts = []
        if len(assets) == 1:
            (name, metadata), = assets.items()
            label = name
            if "rows_loaded" in metadata:
                parts.append(f"{metadata['rows_loaded']:,} rows loaded, {metadata.get('rows_quarantined', 0):,} quarantined")
                if "days_loaded" in metadata:
                    parts.append(f"{metadata['days_loaded']} days loaded, {metadata.get('days_unchanged', 0)} unchanged")
                elif metadata.get("files_unchanged"):
                    parts.append(f"{metadata['files_unchanged']} files unchanged")
            if "tables" in metadata:
                parts.append(f"{metadata['tables']} tables")
            if "pages" in metadata:
                parts.append(f"{metadata['pages']} pages")
        else:
            label = step
            parts.append(f"{len(assets)} models and seeds")
        if checks:
            passed = sum(1 for _, ok, _ in checks if ok)
            parts.append(f"checks {passed}/{len(checks)} passed")
        return f"{label}: {', '.join(parts)}" if parts else label


def cmd_materialize(args: argparse.Namespace, settings: Settings) -> None:
    """One Dagster run in this process, recorded in the Dagster home like any run: `build_all` with the analytics days as
    its partition range (a single-run backfill: every source, every dbt model and test in one dbt invocation, publish,
    reports), or `refresh` when there are no analytics days to load.
    With --days, one run of `portal_refresh` over those days instead: their load and what it reaches (the portal models
    and marts in one dbt invocation, publish, reports); the other sources and marts stay as they are.

    This is what `dagster job execute -j build_all --tags <partition range>` does, with the progress lines below. The terminal gets a line
    per step (RunProgress); Dagster's full event log and dbt's output go to data/build/logs/materialize-<time>.log.
    """
    os.environ.update(runtime_env(settings))  # Dagster home, dbt settings and the build paths for this process and dbt's
    # The first dbt invocation's process, started now: dbt's imports (~1.6 s) run while Dagster starts and the raw tables
    # load, instead of at the start of the dbt step (dagster_defs/dbt_warm.py).
    from dagster_defs import dbt_warm

    warm_dbt = dbt_warm.start(dict(os.environ), parse_ahead=bool(args.days))
    try:
        _materialize(args, settings)
    finally:
        warm_dbt.close()


def _materialize(args: argparse.Namespace, settings: Settings) -> None:
    # dbt runs in its own process (the venv's dbt CLI); this process never calls dbt-core's Python API (EduKpiDbtCli skips
    # the in-process adapter), yet dagster-dbt imports dbt-core's adapter and contract modules when they are importable
    # (dagster_dbt/compat.py): 2–3 s of a quiet start-up, 6–7 s under load, in every `edukpi materialize`. Without
    # them dagster-dbt uses its own definitions of dbt's node types and statuses (its path for dbt Fusion, where dbt-core
    # is not installed) and drives the same dbt CLI. `dagster dev` and the tests' in-process Dagster import dbt-core as usual.
    if "dbt" not in sys.modules:
        sys.modules["dbt"] = None  # `import dbt...` raises ImportError in this process only

    import contextlib
    import datetime as dt
    import gc

    # Start-up allocates ~200,000 long-lived objects (Dagster, the dbt manifest, the asset specs): the cyclic collector
    # would walk them again and again while they are built, and at exit (seconds under load). They live as long as the
    # process: collection stays off until they are built, then they are frozen out of its sight (gc.freeze).
    gc.disable()
    import dagster as dg
    # Pinned dagster~=1.13: the reconstructable-job handle `dagster job execute` builds from `-m dagster_defs.definitions`,
    # and the two halves of `execute_job` (create the run, execute it) so the progress listener knows the run id first.
    from dagster._core.definitions.reconstruct import ReconstructableRepository
    from dagster._core.execution.api import execute_run
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from dagster_defs.partitions import daily_partitions

    first_partition, last_partition = daily_partitions.get_first_partition_key(), daily_partitions.get_last_partition_key()
    if args.days:
        window = _parse_days(args.days)
        if window[0] < first_partition or last_partition is None or window[1] > last_partition:
            raise SystemExit(f"edukpi materialize --days: {args.days!r} is outside the daily partitions "
                             f"{first_partition}...{last_partition}; days before {first_partition} need an earlier "
                             f"EDUKPI_FIRST_DAY, a day that has not ended yet loads once it has")
    else:
        window, refused, later = analytics_window(settings, last_partition)
        for message in refused:
            print(f"edukpi materialize: refused {message}", flush=True)
        if later:
            print(f"edukpi materialize: {len(later)} analytics file(s) of a day that has not ended yet (after "
                  f"{last_partition}) are left for the next run: {', '.join(later[:5])}", flush=True)

    log_path = settings.build_db.parent / "logs" / f"materialize-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    repository = ReconstructableRepository.for_module("dagster_defs.definitions", "defs", str(PROJECT_ROOT))
    runs: list[tuple[str, dict[str, str]]] = []
    days_tags = {ASSET_PARTITION_RANGE_START_TAG: window[0], ASSET_PARTITION_RANGE_END_TAG: window[1]} if window else {}
    not_built = _models_not_built(settings) if args.days else []
    if not_built:
        print(f"edukpi materialize --days: the build file {settings.build_db} has no {', '.join(not_built[:3])}"
              f"{' …' if len(not_built) > 3 else ''} yet: building everything (those days and the rest)", flush=True)
    if args.days and not not_built:
        # Only what the days reach (their load, the portal models and marts, publish, reports) in one run and one dbt
        # invocation; the other sources and marts are left as they are (the full build and the 06:00 refresh do them).
        runs.append(("portal_refresh", days_tags))
    elif window:
        runs.append(("build_all", days_tags))  # the days and everything else: one run, one dbt invocation
    else:
        runs.append(("refresh", {}))
    terminal = sys.stdout
    with dg.DagsterInstance.get() as instance, open(log_path, "a", encoding="utf-8") as log_file:
        for job_name, tags in runs:
            label = f"{job_name} {window[0]}…{window[1]}" if tags else job_name
            print(f"edukpi materialize: run {label}", flush=True)
            job = repository.get_reconstructable_job(job_name)
            load_data = job.repository.get_definition().repository_load_data
            job = job.with_repository_load_data(load_data)
            if not gc.isenabled():
                gc.freeze()
                gc.enable()
            run = instance.create_run_for_job(
                job_def=job.get_definition(),
                tags={**job.get_definition().run_tags, **tags},
                job_code_origin=job.get_python_origin(),
                repository_load_data=load_data,
            )
            progress = RunProgress(terminal)
            instance.add_event_listener(run.run_id, progress.on_event)
            # Dagster's console logger and dbt's output write to sys.stderr / sys.stdout: both go to the log file
            # (with --verbose to the terminal as well).
            full_log = _Tee(log_file, terminal) if args.verbose else log_file
            with contextlib.redirect_stdout(full_log), contextlib.redirect_stderr(full_log):
                result = execute_run(job, run, instance)
            print(f"edukpi materialize: run {label} {'finished' if result.success else 'FAILED'} (run id {run.run_id})",
                  flush=True)
            if not result.success:
                raise SystemExit(f"edukpi materialize: run {label} failed (run id {run.run_id}); its full event log is in "
                                 f"{log_path} and in the Dagster UI (make dev)")
    print(f"Full event log (Dagster and dbt): {log_path}", flush=True)
    gc.freeze()  # what the runs left is freed with the process, not collected object by object at exit


def _models_not_built(settings: Settings) -> list[str]:
    """The dbt models and seeds `portal_refresh` leaves as they are but the build file does not hold yet (a fresh build
    file): a refresh of some days then has to build everything once. A build file another process is writing is taken
    as built (that process builds them)."""
    import duckdb

    from dagster_defs.assets.dbt import edukpi_dbt
    from dagster_defs.jobs import PORTAL_REFRESH_DBT_KEYS

    kept = {key.path[-1] for key in edukpi_dbt.keys - PORTAL_REFRESH_DBT_KEYS}
    if not settings.build_db.exists():
        return sorted(kept)
    try:
        con = duckdb.connect(str(settings.build_db), read_only=True)
    except duckdb.IOException:
        return []
    try:
        present = {name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()
    return sorted(kept - present)


def cmd_generate(args: argparse.Namespace, settings: Settings) -> None:
    from generator import generate

    out = Path(args.out).resolve() if args.out else settings.raw_dir
    summary = generate(args.preset, args.seed, out, progress=not args.quiet)
    for key, value in summary.items():
        print(f"{key}: {value}")


def cmd_report(args: argparse.Namespace, settings: Settings) -> None:
    from reports.render import render_reports

    periods = [args.period] if args.period else None
    pages = render_reports(settings.warehouse_db, settings.reports_dir, periods, single_file=args.single_file)
    if args.single_file:
        for page in pages:
            print(f"single-file report (links to other pages dropped; plotly.js inside): {page}")
        return
    print(f"{len(pages)} files written; open {settings.reports_dir / 'index.html'}")


def cmd_sql(args: argparse.Namespace, settings: Settings) -> None:
    from edukpi.sql import run_sql

    raise SystemExit(run_sql(settings.warehouse_db, args.query, csv_path=args.csv, xlsx_path=args.xlsx,
                             csv_bom=not args.no_bom, max_rows=args.maxrows))


def cmd_bench(args: argparse.Namespace, settings: Settings) -> None:
    from bench.run import BenchOptionError, NotEnoughDisk, run_bench

    workdir = Path(args.workdir).resolve() if args.workdir else PROJECT_ROOT / "bench" / "work" / args.preset
    try:
        run_bench(
            args.preset,
            args.seed,
            workdir,
            results_dir=PROJECT_ROOT / "bench" / "results",
            docs_path=PROJECT_ROOT / "docs" / "benchmarks.md",
            steps=args.steps,
            raw_dir=Path(args.raw).resolve() if args.raw else None,
        )
    except (NotEnoughDisk, BenchOptionError) as error:
        raise SystemExit(str(error)) from None


def cmd_env(args: argparse.Namespace, settings: Settings) -> None:
    """The project's environment as shell `export` lines, for `make` (eval "$(edukpi env)") and anyone running dagster or
    dbt by hand: built from the settings in edukpi/runtime.py, the one place that builds it."""
    import shlex

    env = runtime_env(settings)
    for name, value in sorted(project_env(settings, Path(env["DAGSTER_HOME"])).items()):
        print(f"export {name}={shlex.quote(value)}")


def _nudges_as_of(settings: Settings, as_of: str, scratch: Path) -> Path:
    """A copy of the build file whose kpi_quota_fulfilment and kpi_nudges are rebuilt by dbt as of `as_of` (the build file
    and the published warehouse stay as they are)."""
    import json
    import shutil
    import subprocess
    import sys

    from edukpi.settings import DBT_PROJECT_DIR

    if not settings.build_db.exists():
        raise SystemExit(f"edukpi nudges: no build file at {settings.build_db}; run `make run` (or edukpi materialize) first")
    copy = scratch / settings.build_db.name  # same name: dbt's relations carry the database (file) name
    shutil.copyfile(settings.build_db, copy)
    env = {**runtime_env(settings), "EDUKPI_BUILD_DB": str(copy), "EDUKPI_AS_OF_DATE": as_of}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "run", "--select", "kpi_quota_fulfilment", "kpi_nudges",
         "--project-dir", str(DBT_PROJECT_DIR), "--target-path", str(scratch / "target"), "--log-path", str(scratch / "logs"),
         "--vars", json.dumps({"as_of_date": as_of})],
        env=env, cwd=scratch, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"edukpi nudges: dbt could not build the reminders as of {as_of}:\n{done.stdout[-4000:]}")
    return copy


def cmd_nudges(args: argparse.Namespace, settings: Settings) -> None:
    import datetime as dt
    import tempfile

    from reports.nudges import read_nudges, write_nudges

    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of).isoformat()
        except ValueError:
            raise SystemExit(f"edukpi nudges --as-of: {args.as_of!r} is not a day (yyyy-mm-dd, e.g. 2024-05-15)")
        with tempfile.TemporaryDirectory(prefix="edukpi-nudges-") as scratch:
            rows = read_nudges(_nudges_as_of(settings, as_of, Path(scratch)))
    else:
        rows = read_nudges(settings.warehouse_db)
    label = rows[0]["as_of_date"].isoformat() if rows else (args.as_of or "latest")
    out = Path(args.out).resolve() if args.out else settings.reports_dir / "nhac_viec" / label
    written = write_nudges(rows, out)
    units = len({row["unit_code"] for row in rows})
    print(f"{units} units behind as of {label}: {len(written)} files in {out} (nothing was sent)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edukpi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write deterministic sample data (the three sources) into data/raw")
    gen.add_argument("--preset", default="sample", choices=["tiny", "sample", "city-year", "x10"])
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--out", help="target folder (default: data/raw)")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.set_defaults(handler=cmd_generate)

    mat = sub.add_parser("materialize", help="materialise every asset through Dagster: analytics days, then the rest")
    mat.add_argument("--days", help="only these analytics days (2025-07-01 or 2025-06-28...2025-07-01) and what they reach: "
                                    "the portal models and marts, publish, reports; the other sources and marts stay as "
                                    "they are (default: every day with files in data/raw/analytics, then everything else)")
    mat.add_argument("--verbose", action="store_true", help="also print Dagster's full event log and dbt's output on the "
                                                            "terminal (they always go to data/build/logs/materialize-<time>.log)")
    mat.set_defaults(handler=cmd_materialize)

    rep = sub.add_parser("report", help="render the HTML KPI reports from the published warehouse")
    rep.add_argument("--period", help="2024Q2, 2024-05 or 2024 (default: every quarter plus the latest month)")
    rep.add_argument("--single-file", action="store_true",
                     help="with --period: write that report as one self-contained HTML file for e-mail "
                          "(bao-cao-<period>-mot-tep.html; links to the folder's other pages are dropped)")
    rep.set_defaults(handler=cmd_report)

    sql = sub.add_parser("sql", help="query the published warehouse read-only (no query: interactive shell)")
    sql.add_argument("query", nargs="?")
    sql.add_argument("--csv", help="write the result to this CSV file: UTF-8 with a byte-order mark (BOM), so Excel on "
                                   "Windows shows Vietnamese correctly; add --no-bom for plain UTF-8")
    sql.add_argument("--no-bom", action="store_true", help="write the --csv file as plain UTF-8, without the BOM (for "
                                                           "programs other than Excel)")
    sql.add_argument("--maxrows", type=int, default=40, help="rows printed at most (default 40; --csv/--xlsx write all)")
    sql.add_argument("--xlsx", help="write the result to this Excel file")
    sql.set_defaults(handler=cmd_sql)

    env = sub.add_parser("env", help="print the project's environment as shell export lines (used by the Makefile)")
    env.set_defaults(handler=cmd_env)


    nudge = sub.add_parser("nudges", help="write mid-quarter reminders for every unit that is behind (nothing is sent)")
    nudge.add_argument("--as-of", help="day the reminders are counted on, yyyy-mm-dd (default: the latest submission day "
                                       "of the published warehouse)")
    nudge.add_argument("--out", help="folder for the messages and the overview (default: <reports dir>/nhac_viec/<as-of>)")
    nudge.set_defaults(handler=cmd_nudges)

    bench = sub.add_parser("bench", help="benchmark generation, full and one-day builds, the floor, reports and staff queries")
    bench.add_argument("--preset", default="city-year", choices=["tiny", "sample", "city-year", "x10"])
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--workdir", help="where the bench generates and builds (default: bench/work/<preset>)")
    bench.add_argument("--steps", help="comma-separated steps to run (default all; each brings the steps it needs): "
                                       "physical, startup, build, report, queries, incremental, floor, dbt_floor, dbt_cli; "
                                       "e.g. build,physical for x10")
    bench.add_argument("--raw", help="raw data of this preset generated elsewhere, read only (no generation is timed; "
                                     "no one-day refresh)")
    bench.set_defaults(handler=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args, Settings.from_env())


if __name__ == "__main__":
    main()
