"""`edukpi`: the single command line of the project (generate, materialize, report, sql, bench)."""
from __future__ import annotations

import argparse
import os
import re
import subprocess
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


def _dagster(args: list[str], env: dict[str, str]) -> None:
    command = [str(Path(sys.executable).with_name("dagster")), *args, "-m", "dagster_defs.definitions"]
    print("+ " + " ".join(command), flush=True)
    completed = subprocess.run(command, env=env, cwd=PROJECT_ROOT)
    if completed.returncode != 0:
        raise SystemExit(f"edukpi materialize: `{' '.join(command)}` failed with exit code {completed.returncode}")


def cmd_materialize(args: argparse.Namespace, settings: Settings) -> None:
    env = runtime_env(settings)
    window = analytics_days(settings.raw_dir)
    if window:
        start, end = window
        from dagster_defs.partitions import DAILY_ASSET_KEYS

        _dagster(
            ["asset", "materialize", "--select", ",".join(DAILY_ASSET_KEYS), "--partition-range", f"{start}...{end}"],
            env,
        )
    _dagster(["job", "execute", "-j", "refresh"], env)


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
