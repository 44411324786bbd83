"""Ingestion assets (group "sources"): one per raw table, built from the source registry in ingestion/sources."""

import datetime as dt
import warnings

import dagster as dg

from dagster_defs.partitions import daily_partitions
from dagster_defs.resources import EduKpiSettings
from ingestion.daily import DailySource
from ingestion.loading import LoadReport, accounting_problems, load_daily, load_tabular, refuse_files_before_first_day
from ingestion.sources import SOURCES
from ingestion.tabular import TabularSource

ACCOUNTING_CHECK = "rows_accounted_for"


def _column_schema(source: DailySource | TabularSource) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(name, sql_type) for name, sql_type in source.contract.all_columns])


def _days(window: dg.TimeWindow) -> list[dt.date]:
    first = window.start.date()
    return [first + dt.timedelta(days=i) for i in range((window.end.date() - first).days)]


def _result(source: DailySource | TabularSource, report: LoadReport, problems: list[str], build_db: str,
            refused: list[str] | None = None) -> dg.MaterializeResult:
    metadata: dict[str, object] = {
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "files": len(report.files_read),
        "files_unchanged": len(report.files_unchanged),
        "files_removed": len(report.files_removed),
        "table": source.contract.qualified_table,
        "build_db": dg.MetadataValue.path(build_db),
    }
    if report.files_read:
        metadata["files_read"] = dg.MetadataValue.json(report.files_read[:200])
    if report.files_removed:
        metadata["removed_files"] = dg.MetadataValue.json(report.files_removed[:200])
    if report.mappings_used:
        metadata["mappings"] = dg.MetadataValue.json(report.mappings_used)
    if not source.partitioned:
        metadata["files_rechecked"] = len(report.files_rechecked)
        # Values no mapping knows were loaded as the canonical "other" (kept as sent in source_*): worth a new mapping line.
        metadata["values_unmapped"] = sum(report.values_unmapped.values())
        if report.values_unmapped:
            metadata["values_unmapped_by_file"] = dg.MetadataValue.json(report.values_unmapped)
    if refused:
        metadata["files_refused"] = dg.MetadataValue.json(refused[:200])
    if source.partitioned:
        metadata["days_loaded"] = len(report.days_loaded)
        metadata["days_unchanged"] = len(report.days_unchanged)
    check = dg.AssetCheckResult(
        check_name=ACCOUNTING_CHECK,
        passed=not problems,
        metadata={"problems": dg.MetadataValue.json(problems[:50])} if problems else {"files_checked": "all"},
        description="; ".join(problems[:5]) or None,
    )
    return dg.MaterializeResult(metadata=metadata, check_results=[check])


def _build_asset(source: DailySource | TabularSource) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", source.contract.table])
    kinds = {"duckdb", "python"} if source.partitioned else {"duckdb", "polars"}
    how = (
        "Daily partitions (a day = that day's files); a range of days loads in one run, in chunks of whole days (one "
        "DuckDB read and transaction each); re-loading a day replaces its rows; a day whose files are unchanged (sha256) is left alone."
        if source.partitioned
        else "Files are tracked by sha256: unchanged files are skipped, a changed file replaces its earlier rows, a "
        "removed file's rows are removed."
    )
    check = dg.AssetCheckSpec(
        ACCOUNTING_CHECK,
        asset=key,
        description="Mỗi tệp: số dòng đọc = số dòng nạp + số dòng cách ly / For every file: rows read = rows loaded + "
        "rows quarantined, and both match what the tables hold.",
    )

    # BackfillPolicy is marked beta in Dagster 1.13; single-run backfills are what the daily sources need.
    warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

    @dg.asset(
        key=key,
        group_name="sources",
        kinds=kinds,
        description=f"{source.contract.description} {how} Rows breaking the contract go to raw.quarantine "
        "(docs/data-contracts.md).",
        partitions_def=daily_partitions if source.partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if source.partitioned else None,
        check_specs=[check],
        metadata={"dagster/column_schema": _column_schema(source), "source": source.name},
    )
    def _load(context: dg.AssetExecutionContext, settings: EduKpiSettings) -> dg.MaterializeResult:
        resolved = settings.get()
        refused: list[str] = []
        if isinstance(source, DailySource):
            days = _days(context.partition_time_window)
            context.log.info(f"{source.name}: {len(days)} day(s), {days[0]} to {days[-1]}")
            # Files of days before the first partition are refused (recorded in raw.quarantine), the others load.
            refused = refuse_files_before_first_day(resolved, source)
            for message in refused:
                context.log.warning(message)
            # One line per committed chunk: `edukpi materialize` shows these as the progress over a range of days.
            report = load_daily(resolved, source, days, on_chunk=lambda done, total, last: context.log.info(
                f"{source.name}: {done} of {total} days loaded (to {last})"))
        else:
            report = load_tabular(resolved, source)
        context.log.info(
            f"{source.name}: {len(report.files_read)} file(s) read ({len(report.files_rechecked)} re-checked against a "
            f"changed mapping or reference data), {len(report.files_unchanged)} unchanged, "
            f"{len(report.files_removed)} removed; rows read {report.rows_read} = loaded {report.rows_loaded} "
            f"+ quarantined {report.rows_quarantined}"
        )
        return _result(source, report, accounting_problems(resolved, source), str(resolved.build_db), refused)

    return _load


ingestion_assets: list[dg.AssetsDefinition] = [_build_asset(source) for source in SOURCES.values()]
