"""`edukpi`: the single command line of the project (generate, materialize, report, nudges, sql, bench)."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from edukpi.runtime import analytics_days, runtime_env
from edukpi.settings import PROJECT_ROOT, Settings


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


def cmd_materialize(args: argparse.Namespace, settings: Settings) -> None:
    """Two Dagster runs in this one process (one start-up, one definitions load), recorded in the Dagster home like any run:
    `analytics_daily` over the analytics days as a single-run backfill, then `refresh` (everything else, publish, reports).

    This is what `dagster job execute -j analytics_daily --tags <partition range>` and `dagster job execute -j refresh`
    do, without a second Python start-up and definitions load (5–13 s each, docs/benchmarks.md).
    """
    os.environ.update(runtime_env(settings))  # Dagster home, dbt settings and the build paths for this process and dbt's
    window = _parse_days(args.days) if args.days else analytics_days(settings.raw_dir)

    import dagster as dg
    # Pinned dagster~=1.13: the reconstructable-job handle `dagster job execute` builds from `-m dagster_defs.definitions`.
    from dagster._core.definitions.reconstruct import ReconstructableRepository
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    repository = ReconstructableRepository.for_module("dagster_defs.definitions", "defs", str(PROJECT_ROOT))
    runs: list[tuple[str, dict[str, str]]] = []
    if window:
        runs.append(("analytics_daily", {ASSET_PARTITION_RANGE_START_TAG: window[0], ASSET_PARTITION_RANGE_END_TAG: window[1]}))
    runs.append(("refresh", {}))
    with dg.DagsterInstance.get() as instance:
        for job_name, tags in runs:
            label = f"{job_name} {window[0]}…{window[1]}" if tags else job_name
            print(f"edukpi materialize: run {label}", flush=True)
            result = dg.execute_job(repository.get_reconstructable_job(job_name), instance=instance, tags=tags)
            if not result.success:
                raise SystemExit(f"edukpi materialize: run {label} failed (run id {result.run_id}); "
                                 f"its events are in the Dagster UI (make dev) and above")


def cmd_generate(args: argparse.Namespace, settings: Settings) -> None:
    from generator import generate

    out = Path(args.out).resolve() if args.out else settings.raw_dir
    summary = generate(args.preset, args.seed, out, progress=not args.quiet)
    for key, value in summary.items():
        print(f"{key}: {value}")


def cmd_report(args: argparse.Namespace, settings: Settings) -> None:
    from reports.render import render_reports

    periods = [args.period] if args.period else None
    pages = render_reports(settings.warehouse_db, settings.reports_dir, periods)
    print(f"{len(pages)} pages written; open {settings.reports_dir / 'index.html'}")


def cmd_sql(args: argparse.Namespace, settings: Settings) -> None:
    from edukpi.sql import run_sql

    raise SystemExit(run_sql(settings.warehouse_db, args.query, csv_path=args.csv, xlsx_path=args.xlsx))


def cmd_bench(args: argparse.Namespace, settings: Settings) -> None:
    from bench.run import run_bench

    workdir = Path(args.workdir).resolve() if args.workdir else PROJECT_ROOT / "bench" / "work" / args.preset
    run_bench(
        args.preset,
        args.seed,
        workdir,
        results_dir=PROJECT_ROOT / "bench" / "results",
        docs_path=PROJECT_ROOT / "docs" / "benchmarks.md",
    )


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
    mat.add_argument("--days", help="only these analytics days (2025-07-01 or 2025-06-28...2025-07-01; default: every day "
                                    "with files in data/raw/analytics), then everything else")
    mat.set_defaults(handler=cmd_materialize)

    rep = sub.add_parser("report", help="render the HTML KPI reports from the published warehouse")
    rep.add_argument("--period", help="2024Q2, 2024-05 or 2024 (default: every quarter plus the latest month)")
    rep.set_defaults(handler=cmd_report)

    sql = sub.add_parser("sql", help="query the published warehouse read-only (no query: interactive shell)")
    sql.add_argument("query", nargs="?")
    sql.add_argument("--csv", help="write the result to this CSV file")
    sql.add_argument("--xlsx", help="write the result to this Excel file")
    sql.set_defaults(handler=cmd_sql)

    nudge = sub.add_parser("nudges", help="write mid-quarter reminders for every unit that is behind (nothing is sent)")
    nudge.add_argument("--as-of", help="day the reminders are counted on, yyyy-mm-dd (default: the latest submission day "
                                       "of the published warehouse)")
    nudge.add_argument("--out", help="folder for the messages and the overview (default: <reports dir>/nhac_viec/<as-of>)")
    nudge.set_defaults(handler=cmd_nudges)

    bench = sub.add_parser("bench", help="benchmark generation, full and one-day builds, the floor, reports and staff queries")
    bench.add_argument("--preset", default="city-year", choices=["tiny", "sample", "city-year", "x10"])
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--workdir", help="where the bench generates and builds (default: bench/work/<preset>)")
    bench.set_defaults(handler=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args, Settings.from_env())


if __name__ == "__main__":
    main()
