"""`edukpi`: the single command line of the project (generate, materialize, report, sql, bench)."""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from ingestion.settings import PROJECT_ROOT, Settings

DAY_FILE = re.compile(r"(?:events_|access-)(\d{8})\.")


def runtime_env(settings: Settings) -> dict[str, str]:
    """Environment for Dagster and dbt child processes: the settings, a Dagster home in the repo, no telemetry."""
    dagster_home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home")
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return {
        **os.environ,
        **settings.as_env(),
        "DAGSTER_HOME": str(dagster_home),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project"),
        # One planned event per asset with its partition subset instead of one per partition (2,188 for 547 days): see
        # docs/benchmarks.md, "Per-partition events".
        "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1",
    }


def analytics_days(raw_dir: Path) -> tuple[str, str] | None:
    """First and last day of the daily analytics files present (GA4 export and access logs)."""
    days = sorted(
        match.group(1)
        for path in (raw_dir / "analytics").rglob("*")
        if path.is_file() and (match := DAY_FILE.search(path.name))
    )
    if not days:
        return None
    iso = [f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in (days[0], days[-1])]
    return iso[0], iso[1]


def analytics_window(settings: Settings, last_partition_day: str | None) -> tuple[tuple[str, str] | None, list[str], list[str]]:
    """The partition range to load (first and last day of the analytics files from settings.first_day to the last
    complete day), the messages for files dated before the first day (refused by the daily assets, which record them in
    raw.quarantine) and the files dated after the last complete day (loaded once their day has ended)."""
    from ingestion.daily import DailySource
    from ingestion.loading import before_first_day_message
    from ingestion.sources import SOURCES

    days, refused, later = [], [], []
    for source in SOURCES.values():
        if not isinstance(source, DailySource):
            continue
        for relative in source.find_files(settings.raw_dir):
            day = source.day_of(relative)
            if day < settings.first_day:
                refused.append(before_first_day_message(relative, day, settings.first_day))
            elif last_partition_day is None or day.isoformat() > last_partition_day:
                later.append(relative)
            else:
                days.append(day.isoformat())
    return ((min(days), max(days)) if days else None), sorted(refused), sorted(later)


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

    import dagster as dg
    # Pinned dagster~=1.13: the reconstructable-job handle `dagster job execute` builds from `-m dagster_defs.definitions`.
    from dagster._core.definitions.reconstruct import ReconstructableRepository
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
    from ingestion.generate import generate

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
    from ingestion.sql import run_sql

    raise SystemExit(run_sql(settings.warehouse_db, args.query, csv_path=args.csv, xlsx_path=args.xlsx))


def cmd_bench(args: argparse.Namespace, settings: Settings) -> None:
    from ingestion.bench import run_bench

    workdir = Path(args.workdir).resolve() if args.workdir else PROJECT_ROOT / "bench" / "work" / args.preset
    run_bench(
        args.preset,
        args.seed,
        workdir,
        results_dir=PROJECT_ROOT / "bench" / "results",
        docs_path=PROJECT_ROOT / "docs" / "benchmarks.md",
    )


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
