"""Loading sources into schema raw: which files changed (sha256), replace their rows in one transaction, keep the ledger."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from ingestion.contracts import INGESTED_FILES_COLUMNS
from ingestion.daily import DailySource, DayFile
from ingestion.mappings import UnmappableHeaderError
from ingestion.pseudonymise import install_hmac
from ingestion.readers import LINE, fingerprint
from ingestion.settings import Settings
from ingestion.tabular import RunContext, TabularResult, TabularSource, process_file
from ingestion.warehouse import connect, local_now


DUCK_TO_POLARS = {"VARCHAR": pl.String, "BIGINT": pl.Int64, "TIMESTAMP": pl.Datetime("us")}


@dataclass
class LoadReport:
    """What one materialisation did; rows_read = rows_loaded + rows_quarantined over the files it read."""

    source: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    files_read: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    days_loaded: list[str] = field(default_factory=list)
    days_unchanged: list[str] = field(default_factory=list)
    mappings_used: dict[str, str] = field(default_factory=dict)

    def add(self, source_file: str, read: int, loaded: int, quarantined: int) -> None:
        self.files_read.append(source_file)
        self.rows_read += read
        self.rows_loaded += loaded
        self.rows_quarantined += quarantined


def _ledger(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    rows = con.execute("select source_file, file_fingerprint from raw.ingested_files where source = ?", [source]).fetchall()
    return dict(rows)


def _stage_lists(con: duckdb.DuckDBPyConnection, stale_files: list[str], days: list[dt.date] | None = None) -> None:
    """Temp tables _stale_files(source_file) and _reload_days(day): what a load replaces (joins, not long IN lists)."""
    con.register("_stale_frame", pl.DataFrame({"source_file": stale_files}, schema={"source_file": pl.String}))
    con.execute("create or replace temp table _stale_files as select * from _stale_frame")
    con.unregister("_stale_frame")
    con.register("_days_frame", pl.DataFrame({"day": days or []}, schema={"day": pl.Date}))
    con.execute("create or replace temp table _reload_days as select * from _days_frame")
    con.unregister("_days_frame")


def _forget(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Remove what earlier versions of the files in _stale_files left in quarantine and the ledger."""
    for table in ("raw.quarantine", "raw.ingested_files"):
        con.execute(f"delete from {table} where source = ? and source_file in (select source_file from _stale_files)", [source])


def _record_files(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Append ledger rows (one per file) in one statement."""
    if not rows:
        return
    frame = pl.DataFrame(rows, schema={name: DUCK_TO_POLARS[sql_type] for name, sql_type in INGESTED_FILES_COLUMNS})
    con.register("_ledger_frame", frame)
    con.execute("insert into raw.ingested_files select * from _ledger_frame")
    con.unregister("_ledger_frame")


def _ledger_row(source: str, source_file: str, fingerprint_hex: str, read: int, loaded: int, quarantined: int,
                loaded_at: dt.datetime) -> dict:
    return {"source": source, "source_file": source_file, "file_fingerprint": fingerprint_hex, "rows_read": read,
            "rows_loaded": loaded, "rows_quarantined": quarantined, "loaded_at": loaded_at}


def _insert_tabular(con: duckdb.DuckDBPyConnection, source: TabularSource, result: TabularResult, loaded_at: dt.datetime) -> None:
    con.register("_staged", result.loaded)
    con.execute(
        f"insert into {source.contract.qualified_table} select {source.table_select}, ?, {LINE}, ?, ? "
        f"from _staged order by {LINE}",
        [result.source_file, result.fingerprint, loaded_at],
    )
    con.unregister("_staged")
    con.register("_quarantined", result.quarantined)
    con.execute(
        f"insert into raw.quarantine select ?, ?, {LINE}, column_name, value, reason, ?, ? from _quarantined order by {LINE}",
        [source.name, result.source_file, result.fingerprint, loaded_at],
    )
    con.unregister("_quarantined")


def load_tabular(settings: Settings, source: TabularSource, loaded_at: dt.datetime | None = None) -> LoadReport:
    """Load new and changed files of an unpartitioned source; drop the rows of files that were removed.

    Every changed file is read and checked before anything is written: a file whose header no mapping fits fails the
    whole load (UnmappableHeaderError) and leaves the warehouse as it was.
    """
    loaded_at = loaded_at or local_now()
    present = source.find_files(settings.raw_dir)
    fingerprints = {rel: fingerprint(path) for rel, path in present.items()}
    report = LoadReport(source.name)
    con = connect(settings.build_db)
    try:
        known = _ledger(con, source.name)
        changed = [rel for rel in present if known.get(rel) != fingerprints[rel]]
        report.files_unchanged = [rel for rel in present if rel not in changed]
        report.files_removed = sorted(rel for rel in known if rel not in present)
        if not changed and not report.files_removed:
            return report
        key = settings.pseudonymisation_key() if source.needs_key and changed else None
        context = RunContext(loaded_at)
        results, failures = [], []
        for rel in changed:
            try:
                results.append(process_file(source, present[rel], rel, fingerprints[rel], context))
            except UnmappableHeaderError as error:
                failures.append(str(error))
        if failures:
            raise UnmappableHeaderError("\n\n".join(failures))
        if key is not None:
            install_hmac(con, key)
        stale = changed + report.files_removed
        con.begin()
        _stage_lists(con, stale)
        con.execute(f"delete from {source.contract.qualified_table} where source_file in (select source_file from _stale_files)")
        _forget(con, source.name)
        for result in results:
            _insert_tabular(con, source, result, loaded_at)
            report.add(result.source_file, result.rows_read, result.rows_loaded, result.rows_quarantined)
            report.mappings_used[result.source_file] = f"{result.mapping} ({result.encoding})"
        _record_files(con, [
            _ledger_row(source.name, r.source_file, r.fingerprint, r.rows_read, r.rows_loaded, r.rows_quarantined, loaded_at)
            for r in results
        ])
        con.commit()
        return report
    finally:
        con.close()


def load_daily(settings: Settings, source: DailySource, days: list[dt.date], loaded_at: dt.datetime | None = None) -> LoadReport:
    """(Re-)load the given days of a day-partitioned source in one transaction and one DuckDB read.

    A day whose files (names and sha256) are exactly those already loaded is left alone; any other day is replaced:
    its rows, quarantine and ledger entries are deleted, then its present files are loaded.
    """
    loaded_at = loaded_at or local_now()
    wanted = set(days)
    present = {rel: path for rel, path in source.find_files(settings.raw_dir).items() if source.day_of(rel) in wanted}
    fingerprints = {rel: fingerprint(path) for rel, path in present.items()}
    report = LoadReport(source.name)
    con = connect(settings.build_db)
    try:
        known = {rel: fp for rel, fp in _ledger(con, source.name).items() if source.day_of(rel) in wanted}
        current_by_day: dict[dt.date, set] = {d: set() for d in wanted}
        known_by_day: dict[dt.date, set] = {d: set() for d in wanted}
        for rel, fp in fingerprints.items():
            current_by_day[source.day_of(rel)].add((rel, fp))
        for rel, fp in known.items():
            known_by_day[source.day_of(rel)].add((rel, fp))
        reload_days = sorted(d for d in wanted if current_by_day[d] != known_by_day[d])
        report.days_unchanged = [d.isoformat() for d in sorted(wanted) if d not in reload_days and current_by_day[d]]
        report.files_unchanged = sorted(rel for d in wanted if d not in reload_days for rel, _ in current_by_day[d])
        if not reload_days:
            return report
        files = [
            DayFile(present[rel], rel, fp, source.day_of(rel))
            for d in reload_days for rel, fp in sorted(current_by_day[d])
        ]
        _refuse_double_deliveries(files)
        stale = sorted({rel for d in reload_days for rel, _ in known_by_day[d]} | {f.source_file for f in files})
        report.files_removed = sorted({rel for d in reload_days for rel, _ in known_by_day[d]} - {f.source_file for f in files})
        key = settings.pseudonymisation_key() if source.needs_key and files else None
        if key is not None:
            install_hmac(con, key)
        con.begin()
        _stage_lists(con, stale, reload_days)
        con.execute(source.delete_days_sql)
        _forget(con, source.name)
        if files:
            counts = source.load(con, files, loaded_at)
            by_file = {f.source_file: f for f in files}
            ledger = []
            for row in counts.iter_rows(named=True):
                delivery = by_file[row["source_file"]]
                ledger.append(_ledger_row(source.name, delivery.source_file, delivery.fingerprint, row["rows_read"],
                                          row["rows_loaded"], row["rows_quarantined"], loaded_at))
                report.add(delivery.source_file, row["rows_read"], row["rows_loaded"], row["rows_quarantined"])
            _record_files(con, ledger)
        con.commit()
        report.days_loaded = [d.isoformat() for d in reload_days]
        return report
    finally:
        con.close()


def _refuse_double_deliveries(files: list[DayFile]) -> None:
    """One file per folder and day (GA4: per day; logs: per host and day): two forms of one day would load it twice."""
    by_slot: dict[tuple[str, dt.date], list[str]] = {}
    for f in files:
        by_slot.setdefault((f.source_file.rsplit("/", 1)[0], f.day), []).append(f.source_file)
    doubles = [names for names in by_slot.values() if len(names) > 1]
    if doubles:
        listed = "; ".join(" and ".join(names) for names in doubles)
        raise ValueError(f"the same day was delivered twice: {listed}. Keep one file per day (and host), then load again.")


def accounting_problems(settings: Settings, source: TabularSource | DailySource) -> list[str]:
    """Every ledger row must add up (read = loaded + quarantined) and match the rows really in the raw table and quarantine."""
    con = connect(settings.build_db)
    try:
        rows = con.execute(
            f"""
            with loaded as (select source_file, count(*) as n from {source.contract.qualified_table} group by 1),
                 quarantined as (select source_file, count(*) as n from raw.quarantine where source = $source group by 1)
            select i.source_file, i.rows_read, i.rows_loaded, i.rows_quarantined,
                   coalesce(l.n, 0) as in_table, coalesce(q.n, 0) as in_quarantine
            from raw.ingested_files i
            left join loaded l using (source_file) left join quarantined q using (source_file)
            where i.source = $source
              and (i.rows_read <> i.rows_loaded + i.rows_quarantined
                   or i.rows_loaded <> coalesce(l.n, 0) or i.rows_quarantined <> coalesce(q.n, 0))
            order by 1
            """,
            {"source": source.name},
        ).fetchall()
        orphans = con.execute(
            f"""
            select distinct source_file from {source.contract.qualified_table}
            where source_file not in (select source_file from raw.ingested_files where source = $source)
            """,
            {"source": source.name},
        ).fetchall()
    finally:
        con.close()
    problems = [
        f"{f}: read {r}, loaded {l} (table has {t}), quarantined {q} (quarantine has {qq})" for f, r, l, q, t, qq in rows
    ]
    problems += [f"{f}: rows in {source.contract.qualified_table} but the file is not in raw.ingested_files" for (f,) in orphans]
    return problems
