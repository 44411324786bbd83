"""Loading sources into schema raw: which files changed (sha256), replace their rows in one transaction (per chunk of
days for the daily sources), keep the ledger."""
from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ingestion.contracts import INGESTED_FILES_COLUMNS, QUARANTINE_COLUMNS, raw_schema_ddl
from ingestion.daily import DailySource, DayFile
from ingestion.mappings import RejectedFileError, UnmappableHeaderError, load_mappings
from ingestion.pseudonymise import install_hmac
from ingestion.readers import LINE, fingerprint
from edukpi.settings import Settings
from ingestion.tabular import RunContext, TabularResult, TabularSource, process_file
from ingestion.build_db import connect, local_now


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
    # Files whose bytes did not change but whose mapping or reference data did: checked again.
    files_rechecked: list[str] = field(default_factory=list)
    values_unmapped: dict[str, int] = field(default_factory=dict)

    def add(self, source_file: str, read: int, loaded: int, quarantined: int) -> None:
        self.files_read.append(source_file)
        self.rows_read += read
        self.rows_loaded += loaded
        self.rows_quarantined += quarantined


def _ledger(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    rows = con.execute("select source_file, file_fingerprint from raw.ingested_files where source = ?", [source]).fetchall()
    return dict(rows)


def _checked_against(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, tuple]:
    """source_file -> (file sha256, mapping name, mapping sha256, reference fingerprint) as last loaded."""
    rows = con.execute(
        "select source_file, file_fingerprint, mapping_name, mapping_sha256, reference_fingerprint "
        "from raw.ingested_files where source = ?", [source],
    ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def reference_fingerprint(reference_dir: Path, names: tuple[str, ...]) -> str | None:
    """sha256 over the reference files a source's rules use (None when it uses none)."""
    if not names:
        return None
    digest = hashlib.sha256()
    for name in names:
        path = reference_dir / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"(missing)") + b"\0")
    return digest.hexdigest()


def _stage_lists(con: duckdb.DuckDBPyConnection, stale_files: list[str], days: list[dt.date] | None = None) -> None:
    """Temp tables _stale_files(source_file) and _reload_days(day): what a load replaces (joins, not long IN lists)."""
    con.register("_stale_frame", pl.DataFrame({"source_file": stale_files}, schema={"source_file": pl.String}))
    con.execute("create or replace temp table _stale_files as select * from _stale_frame")
    con.unregister("_stale_frame")
    con.register("_days_frame", pl.DataFrame({"day": days or []}, schema={"day": pl.Date}))
    con.execute("create or replace temp table _reload_days as select * from _days_frame")
    con.unregister("_days_frame")


def _forget(con: duckdb.DuckDBPyConnection, source: str, loaded_at: dt.datetime) -> None:
    """Retire what earlier versions of the files in _stale_files left: their ledger rows are removed, their quarantine rows
    are kept as history and marked superseded_at (analysts see what was refused in every version of a file)."""
    con.execute(
        "update raw.quarantine set superseded_at = ? "
        "where source = ? and superseded_at is null and source_file in (select source_file from _stale_files)",
        [loaded_at, source],
    )
    con.execute("delete from raw.ingested_files where source = ? and source_file in (select source_file from _stale_files)",
                [source])


QUARANTINE_INSERT = "insert into raw.quarantine ({}) ".format(
    ", ".join(name for name, _ in QUARANTINE_COLUMNS if name != "superseded_at")
)


def _record_files(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Append ledger rows (one per file) in one statement."""
    if not rows:
        return
    frame = pl.DataFrame(rows, schema={name: DUCK_TO_POLARS[sql_type] for name, sql_type in INGESTED_FILES_COLUMNS})
    con.register("_ledger_frame", frame)
    con.execute("insert into raw.ingested_files by name select * from _ledger_frame")
    con.unregister("_ledger_frame")


def _ledger_row(source: str, source_file: str, fingerprint_hex: str, read: int, loaded: int, quarantined: int,
                loaded_at: dt.datetime, mapping_name: str | None = None, mapping_sha256: str | None = None,
                reference: str | None = None, values_unmapped: int = 0) -> dict:
    return {"source": source, "source_file": source_file, "file_fingerprint": fingerprint_hex, "rows_read": read,
            "rows_loaded": loaded, "rows_quarantined": quarantined, "loaded_at": loaded_at, "mapping_name": mapping_name,
            "mapping_sha256": mapping_sha256, "reference_fingerprint": reference, "values_unmapped": values_unmapped}


def _insert_tabular(con: duckdb.DuckDBPyConnection, source: TabularSource, results: list[TabularResult],
                    loaded_at: dt.datetime) -> None:
    """The rows and the quarantine of every file of one load, each in one statement (per file, the two inserts and their
    frame hand-overs cost ~10 ms: 1.8 s for the 179 saved pages of a city-year disclosure load). Rows keep their order:
    by file (as read), then by line."""
    if not results:
        return

    def tagged(frames: list[pl.DataFrame]) -> pl.DataFrame:
        return pl.concat([
            frame.with_columns(pl.lit(r.source_file, pl.String).alias("_source_file"),
                               pl.lit(r.fingerprint, pl.String).alias("_fingerprint"),
                               pl.lit(i, pl.Int32).alias("_file_index"))
            for i, (r, frame) in enumerate(zip(results, frames))
        ], how="diagonal_relaxed")

    columns = ", ".join(f'"{name}"' for name, _ in source.contract.all_columns)
    con.register("_staged", tagged([r.loaded for r in results]))
    con.execute(
        f"insert into {source.contract.qualified_table} ({columns}) select {source.table_select}, _source_file, {LINE}, "
        f"_fingerprint, ? from _staged order by _file_index, {LINE}",
        [loaded_at],
    )
    con.unregister("_staged")
    con.register("_quarantined", tagged([r.quarantined for r in results]))
    con.execute(
        f"{QUARANTINE_INSERT} select ?, _source_file, {LINE}, column_name, value, reason, _fingerprint, ? "
        f"from _quarantined order by _file_index, {LINE}",
        [source.name, loaded_at],
    )
    con.unregister("_quarantined")


def load_tabular(settings: Settings, source: TabularSource, loaded_at: dt.datetime | None = None) -> LoadReport:
    """Load new and changed files of an unpartitioned source; drop the rows of files that were removed.

    Every changed file is read and checked before anything is written: a file that cannot be read as a whole (empty, NUL
    bytes, no mapping fits its header, several sheets holding lists) fails the whole load (RejectedFileError, naming every
    such file) and leaves the warehouse as it was.
    """
    loaded_at = loaded_at or local_now(settings.today)
    present = source.find_files(settings.raw_dir)
    fingerprints = {rel: fingerprint(path) for rel, path in present.items()}
    report = LoadReport(source.name)
    con = connect(settings.build_db)
    try:
        known = _checked_against(con, source.name)
        mapping_shas = {m.name: m.sha256 for m in load_mappings(source.name, settings.mappings_dir, settings.local_mappings_dir)}
        reference = reference_fingerprint(settings.reference_dir, source.reference_files)

        def still_valid(rel: str) -> bool:
            _, mapping_name, mapping_sha, reference_then = known[rel]
            return (mapping_name is not None and mapping_shas.get(mapping_name) == mapping_sha
                    and reference_then == reference)

        changed = [rel for rel in present if rel not in known or known[rel][0] != fingerprints[rel] or not still_valid(rel)]
        report.files_rechecked = [rel for rel in changed if rel in known and known[rel][0] == fingerprints[rel]]
        report.files_unchanged = [rel for rel in present if rel not in changed]
        report.files_removed = sorted(rel for rel in known if rel not in present)
        if not changed and not report.files_removed:
            return report
        key = settings.pseudonymisation_key() if source.needs_key and changed else None
        context = RunContext(loaded_at, settings.reference_dir, settings.mappings_dir, settings.local_mappings_dir)
        results, failures = [], []
        for rel in changed:
            try:
                results.append(process_file(source, present[rel], rel, fingerprints[rel], context))
            except RejectedFileError as error:
                failures.append(error)
        if failures:
            kind = UnmappableHeaderError if all(isinstance(f, UnmappableHeaderError) for f in failures) else RejectedFileError
            raise kind("\n\n".join(str(f) for f in failures))
        if key is not None:
            install_hmac(con, key)
        stale = changed + report.files_removed
        con.begin()
        _stage_lists(con, stale)
        con.execute(f"delete from {source.contract.qualified_table} where source_file in (select source_file from _stale_files)")
        _forget(con, source.name, loaded_at)
        _insert_tabular(con, source, results, loaded_at)
        for result in results:
            report.add(result.source_file, result.rows_read, result.rows_loaded, result.rows_quarantined)
            report.mappings_used[result.source_file] = f"{result.mapping} ({result.encoding})"
            if result.values_unmapped:
                report.values_unmapped[result.source_file] = result.values_unmapped
        _record_files(con, [
            _ledger_row(source.name, r.source_file, r.fingerprint, r.rows_read, r.rows_loaded, r.rows_quarantined, loaded_at,
                        r.mapping, r.mapping_sha256, reference, r.values_unmapped)
            for r in results
        ])
        con.commit()
        return report
    finally:
        con.close()


# A range of days is loaded in chunks of whole days, each chunk read, checked and committed on its own: a chunk's rows
# fit in memory (DuckDB spilled ~20 GB when a city-year range was staged at once, docs/benchmarks.md "Findings"), and a
# killed load keeps the chunks it committed (those days are then unchanged for the next run) and leaves every other day
# as it was. Budget in bytes of compressed input (Parquet, gzip; plain text counts a tenth of its size): 24 MB is about
# 1.6 M access-log lines (staged). Files a source streams (DailySource.streamed_suffixes: GA4's Parquet, read where
# the insert uses it, never staged) count a quarter: 96 MB of GA4 Parquet, ~5.6 M events, per chunk. Each chunk costs a
# fixed part (its temp tables, its pages parsed, its commit): GA4 city-year 68.4 s -> 61.8 s, x10 (60 days) 56.2 s ->
# 49.3 s, the same peak memory (2.2 GB, 1.7 GB); access logs in 96 MB chunks were slower (29.2 -> 32.1 s) and larger
# (2.5 -> 3.2 GB), so staged input keeps the 24 MB.
CHUNK_BYTES = 24 * 2**20
COMPRESSED_SUFFIXES = (".parquet", ".gz")
STREAMED_SHARE = 4


def _input_weight(delivery: DayFile, streamed_suffixes: tuple[str, ...] = ()) -> int:
    size = delivery.path.stat().st_size
    name = delivery.path.name.lower()
    if streamed_suffixes and name.endswith(streamed_suffixes):
        return size // STREAMED_SHARE
    return size if name.endswith(COMPRESSED_SUFFIXES) else size // 10


def day_chunks(days: list[dt.date], files_by_day: dict[dt.date, list[DayFile]], budget: int,
               streamed_suffixes: tuple[str, ...] = ()) -> list[list[dt.date]]:
    """Consecutive runs of `days` (in order) whose files weigh at most `budget` together; a heavier day is a chunk alone."""
    chunks: list[list[dt.date]] = []
    weight = 0
    for day in days:
        day_weight = sum(_input_weight(f, streamed_suffixes) for f in files_by_day[day])
        if not chunks or weight + day_weight > budget:
            chunks.append([])
            weight = 0
        chunks[-1].append(day)
        weight += day_weight
    return chunks


def load_daily(settings: Settings, source: DailySource, days: list[dt.date], loaded_at: dt.datetime | None = None,
               chunk_bytes: int = CHUNK_BYTES, on_chunk: Callable[[int, int, dt.date], None] | None = None) -> LoadReport:
    """(Re-)load the given days of a day-partitioned source: one DuckDB read and one transaction per chunk of days.

    A day whose files (names and sha256) are exactly those already loaded is left alone; any other day is replaced:
    its rows, quarantine and ledger entries are deleted, then its present files are loaded. Every file of every day to
    load is checked before anything is written (two deliveries of one day, files that cannot be read to their end);
    a file DuckDB then fails to read fails its chunk, which is rolled back (chunks committed before it stay).
    `on_chunk(days loaded so far, days to load, last day of the chunk)` is called after each chunk commits (progress).
    """
    loaded_at = loaded_at or local_now(settings.today)
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
        files_by_day = {
            d: [DayFile(present[rel], rel, fp, d) for rel, fp in sorted(current_by_day[d])] for d in reload_days
        }
        files = [f for d in reload_days for f in files_by_day[d]]
        _refuse_double_deliveries(files)
        _refuse_unreadable_day_files(files)
        report.files_removed = sorted({rel for d in reload_days for rel, _ in known_by_day[d]} - {f.source_file for f in files})
        key = settings.pseudonymisation_key() if source.needs_key and files else None
        if key is not None:
            install_hmac(con, key)
        for chunk in day_chunks(reload_days, files_by_day, chunk_bytes, source.streamed_suffixes):
            chunk_files = [f for d in chunk for f in files_by_day[d]]
            stale = sorted({rel for d in chunk for rel, _ in known_by_day[d]} | {f.source_file for f in chunk_files})
            if chunk_files:
                try:
                    source.stage(con, chunk_files)  # temp tables only, before the transaction (see DailyStager)
                except duckdb.Error as error:
                    raise _unreadable_day_file(source, chunk_files, loaded_at, key) or error
            con.begin()
            _stage_lists(con, stale, chunk)
            con.execute(source.delete_days_sql)
            _forget(con, source.name, loaded_at)
            if chunk_files:
                try:
                    counts = source.load(con, chunk_files, loaded_at)
                except duckdb.Error as error:
                    con.rollback()
                    raise _unreadable_day_file(source, chunk_files, loaded_at, key) or error
                by_file = {f.source_file: f for f in chunk_files}
                ledger = []
                for row in counts.iter_rows(named=True):
                    delivery = by_file[row["source_file"]]
                    ledger.append(_ledger_row(source.name, delivery.source_file, delivery.fingerprint, row["rows_read"],
                                              row["rows_loaded"], row["rows_quarantined"], loaded_at))
                    report.add(delivery.source_file, row["rows_read"], row["rows_loaded"], row["rows_quarantined"])
                _record_files(con, ledger)
            con.commit()
            report.days_loaded += [d.isoformat() for d in chunk]
            if on_chunk is not None:
                on_chunk(len(report.days_loaded), len(reload_days), chunk[-1])
        return report
    finally:
        con.close()


# column_name of a raw.quarantine row that stands for a whole file refused before any of its rows was read.
WHOLE_FILE = "(whole file)"
FIRST_DAY_SETTING = "EDUKPI_FIRST_DAY"


def before_first_day_message(source_file: str, day: dt.date, first_day: dt.date) -> str:
    return (f"{source_file}: the file is dated {day.isoformat()}, before the first day of the daily partitions "
            f"({first_day.isoformat()}), so it was not loaded. To load it, set {FIRST_DAY_SETTING}={day.replace(day=1).isoformat()} "
            "(or earlier) and run again; the other files load as usual.")


def refuse_files_before_first_day(settings: Settings, source: DailySource, loaded_at: dt.datetime | None = None
                                  ) -> list[str]:
    """Day files dated before settings.first_day (no partition holds their day) are refused, not read: each stands in
    raw.quarantine as one row for the whole file (column_name '(whole file)', no line) while it is there and unloaded.
    A file loaded earlier (when the first day was earlier) is left as loaded. Returns the messages, one per file.

    Recorded once per version of the file: a changed file's earlier refusal is marked superseded_at, and so is the
    refusal of a file that is removed or has become loadable. These rows are not in raw.ingested_files (no row was read),
    so the accounting check is not concerned with them.
    """
    loaded_at = loaded_at or local_now(settings.today)
    early = {rel: path for rel, path in source.find_files(settings.raw_dir).items() if source.day_of(rel) < settings.first_day}
    con = connect(settings.build_db)
    try:
        ledger = _ledger(con, source.name)
        early = {rel: path for rel, path in early.items() if rel not in ledger}
        fingerprints = {rel: fingerprint(path) for rel, path in early.items()}
        standing = dict(con.execute(
            "select source_file, file_fingerprint from raw.quarantine "
            "where source = ? and column_name = ? and superseded_at is null", [source.name, WHOLE_FILE]).fetchall())
        retired = sorted(rel for rel, fp in standing.items() if fingerprints.get(rel) != fp)
        new = sorted(rel for rel, fp in fingerprints.items() if standing.get(rel) != fp)
        messages = {rel: before_first_day_message(rel, source.day_of(rel), settings.first_day) for rel in early}
        if retired or new:
            con.begin()
            con.execute(
                "update raw.quarantine set superseded_at = ? where source = ? and column_name = ? and superseded_at is null "
                "and source_file in (select unnest(?))", [loaded_at, source.name, WHOLE_FILE, retired])
            for rel in new:
                con.execute(
                    f"{QUARANTINE_INSERT} values (?, ?, NULL, ?, ?, ?, ?, ?)",
                    [source.name, rel, WHOLE_FILE, source.day_of(rel).isoformat(), messages[rel], fingerprints[rel], loaded_at])
            con.commit()
    finally:
        con.close()
    return [messages[rel] for rel in sorted(messages)]


def _refuse_double_deliveries(files: list[DayFile]) -> None:
    """One file per folder and day (GA4: per day; logs: per host and day): two forms of one day would load it twice."""
    by_slot: dict[tuple[str, dt.date], list[str]] = {}
    for f in files:
        by_slot.setdefault((f.source_file.rsplit("/", 1)[0], f.day), []).append(f.source_file)
    doubles = [names for names in by_slot.values() if len(names) > 1]
    if doubles:
        listed = "; ".join(" and ".join(names) for names in doubles)
        raise ValueError(f"the same day was delivered twice: {listed}. Keep one file per day (and host), then load again.")


GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"


def _gzip_problem(path: Path) -> str | None:
    """Why a .gz file cannot be read to its end (not gzip, damaged, cut short), or None. DuckDB would read a cut-short
    file up to the cut without a word: the rows after it would be lost silently."""
    with path.open("rb") as handle:
        if handle.read(2) != GZIP_MAGIC:
            return "it is not gzip-compressed although its name ends in .gz; compress it with gzip or drop the .gz"
        handle.seek(0)
        inflater = zlib.decompressobj(wbits=31)
        try:
            while block := handle.read(1 << 20):
                inflater.decompress(block, 0)
                while inflater.eof and inflater.unused_data:  # several gzip members one after another (allowed)
                    rest = inflater.unused_data
                    inflater = zlib.decompressobj(wbits=31)
                    inflater.decompress(rest, 0)
        except zlib.error as error:
            return f"its gzip data is damaged ({error})"
        if not inflater.eof:
            return "the gzip file is cut short (its end is missing): the transfer was probably interrupted"
    return None


def _parquet_problem(path: Path) -> str | None:
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(max(size - 4, 0))
        tail = handle.read(4)
    if size < 12 or head != PARQUET_MAGIC or tail != PARQUET_MAGIC:
        return (f"it is not a complete Parquet file ({size} bytes; a Parquet file starts and ends with 'PAR1'): it may be "
                "cut short, or another format (an error page, a CSV) saved under a .parquet name")
    return None


def _text_problem(path: Path) -> str | None:
    with path.open("rb") as handle:
        start = handle.read(1024)
    # UTF-16 (Windows "Unicode") has a NUL in every other byte of Latin text; a stray NUL in a log line is not this.
    if start.startswith((b"\xff\xfe", b"\xfe\xff")) or start.count(b"\x00") > len(start) // 10:
        return "it is not UTF-8 text (it looks like UTF-16, or a binary file); save it as UTF-8"
    return None


def _refuse_unreadable_day_files(files: list[DayFile]) -> None:
    """Files that cannot be read to their end fail the load before anything is written, each named with the reason."""
    problems = []
    for delivery in files:
        name = delivery.path.name.lower()
        problem = _gzip_problem(delivery.path) if name.endswith(".gz") else (
            _parquet_problem(delivery.path) if name.endswith(".parquet") else _text_problem(delivery.path))
        if problem:
            problems.append(f"{delivery.source_file}: {problem}. Send the file again (nothing of the day was loaded).")
    if problems:
        raise RejectedFileError("\n".join(problems))


def _unreadable_day_file(source: DailySource, files: list[DayFile], loaded_at: dt.datetime,
                         key: bytes | None) -> RejectedFileError | None:
    """After DuckDB failed to read a batch of day files: find the file(s) it cannot read, each alone in a scratch
    in-memory database, and say which (DuckDB's own message names an absolute path and a line of generated SQL)."""
    problems = []
    for delivery in files:
        scratch = duckdb.connect()
        try:
            for statement in raw_schema_ddl():
                scratch.execute(statement)
            install_hmac(scratch, key or b"scratch")
            source.stage_and_load(scratch, [delivery], loaded_at)
        except duckdb.Error as error:
            detail = str(error).split("\n")[0].replace(str(delivery.path), delivery.source_file)
            problems.append(
                f"{delivery.source_file}: cannot be read ({detail}). Accepted: {source.accepted_forms or 'see docs/data-contracts.md'}; "
                "send the file again (nothing of the day was loaded)."
            )
        finally:
            scratch.close()
    return RejectedFileError("\n".join(problems)) if problems else None


def accounting_problems(settings: Settings, source: TabularSource | DailySource) -> list[str]:
    """Every ledger row must add up (read = loaded + quarantined) and match the rows really in the raw table and quarantine."""
    con = connect(settings.build_db)
    try:
        rows = con.execute(
            f"""
            with loaded as (select source_file, count(*) as n from {source.contract.qualified_table} group by 1),
                 quarantined as (select source_file, count(*) as n from raw.quarantine
                                 where source = $source and superseded_at is null group by 1)
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
