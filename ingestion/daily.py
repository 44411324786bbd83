"""Shared shape of the day-partitioned analytics sources (GA4 export, access logs): one file per day, read in bulk by DuckDB."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ingestion.contracts import Contract


@dataclass(frozen=True)
class DayFile:
    path: Path
    source_file: str  # relative to data/raw
    fingerprint: str
    day: dt.date


# stage(con, files): read every file of a chunk in one DuckDB read and check it, into temp tables only (nothing in raw).
# It runs before the chunk's transaction: DuckDB reads a temp table created inside an open transaction from its
# transaction-local storage, ~2x slower than a committed one (an access-log chunk: 10.5 s staged inside, 6.0 s outside).
DailyStager = Callable[[duckdb.DuckDBPyConnection, list[DayFile]], None]
# load(con, files, loaded_at): inside the chunk's transaction, insert the staged good rows into the raw table and the rest
# into raw.quarantine; return per file (source_file, rows_read, rows_loaded, rows_quarantined).
DailyLoader = Callable[[duckdb.DuckDBPyConnection, list[DayFile], dt.datetime], pl.DataFrame]


@dataclass(frozen=True)
class DailySource:
    contract: Contract
    patterns: tuple[str, ...]  # globs relative to data/raw
    day_pattern: str  # regex on the file name; group 1 = YYYYMMDD
    stage: DailyStager
    load: DailyLoader
    delete_days_sql: str  # deletes the rows of the days in temp table _reload_days(day) / files in _stale_files(source_file)
    needs_key: bool = False
    accepted_forms: str = ""  # in plain words, for the message that refuses an unreadable file
    # Files the loader never stages (read where its SQL uses them, streamed): they weigh a quarter of their size in a
    # chunk's budget (ingestion.loading.CHUNK_BYTES), so their chunks are 4x larger and fewer.
    streamed_suffixes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.contract.source

    def stage_and_load(self, con: duckdb.DuckDBPyConnection, files: list[DayFile], loaded_at: dt.datetime) -> pl.DataFrame:
        """Both steps on a connection without an open transaction (a scratch database that checks one file)."""
        self.stage(con, files)
        return self.load(con, files, loaded_at)

    @property
    def partitioned(self) -> bool:
        return True

    def day_of(self, source_file: str) -> dt.date | None:
        match = re.search(self.day_pattern, source_file.rsplit("/", 1)[-1])
        if not match:
            return None
        try:
            return dt.datetime.strptime(match.group(1), "%Y%m%d").date()
        except ValueError:
            return None

    def find_files(self, raw_dir: Path) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for pattern in self.patterns:
            for path in sorted(raw_dir.glob(pattern)):
                relative = path.relative_to(raw_dir).as_posix()
                if path.is_file() and not path.name.startswith(".") and self.day_of(relative):
                    found[relative] = path
        return dict(sorted(found.items()))


def files_table(con: duckdb.DuckDBPyConnection, files: list[DayFile], extra: dict[str, list] | None = None) -> None:
    """Temp table _files(file_id, path, source_file, fingerprint, file_day, ...): joins DuckDB's `filename` back to the
    delivery; staged rows carry the small file_id instead of the path."""
    data = {
        "file_id": list(range(len(files))),
        "path": [str(f.path) for f in files],
        "source_file": [f.source_file for f in files],
        "fingerprint": [f.fingerprint for f in files],
        "file_day": [f.day for f in files],
        **(extra or {}),
    }
    frame = pl.DataFrame(data, schema_overrides={"file_id": pl.Int32, "file_day": pl.Date})
    con.register("_files_frame", frame)
    con.execute("create or replace temp table _files as select * from _files_frame")
    con.unregister("_files_frame")


def read_and_quarantined(con: duckdb.DuckDBPyConnection, read_sql: str, quarantined: str) -> pl.DataFrame:
    """Per file of this load: rows read (read_sql gives file_id, n), rows quarantined (rows of table `quarantined` with a
    source_file), rows loaded = the difference (the loaders insert exactly the rows read that break no rule)."""
    return con.sql(
        f"""
        select f.source_file, coalesce(r.n, 0)::bigint as rows_read,
               (coalesce(r.n, 0) - coalesce(q.n, 0))::bigint as rows_loaded, coalesce(q.n, 0)::bigint as rows_quarantined
        from _files f
        left join ({read_sql}) r using (file_id)
        left join (select source_file, count(*) as n from {quarantined} group by source_file) q using (source_file)
        order by f.source_file
        """
    ).pl()


def insert_quarantine(con: duckdb.DuckDBPyConnection, source: str, staged: str, loaded_at: dt.datetime) -> None:
    con.execute(
        f"""
        insert into raw.quarantine (source, source_file, source_line, column_name, value, reason, file_fingerprint, loaded_at)
        select ?, source_file, source_line, _column, _value, _reason, fingerprint, ?
        from {staged} where _reason is not null
        """,
        [source, loaded_at],
    )


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join(sql_literal(str(p)) for p in paths) + "]"


def blank_sql(text_sql: str) -> str:
    """The same as `nullif(trim(x), '') is null` (NULL, empty, or only spaces), fast: DuckDB's trim walks the whole text
    (~3 µs for a log line), so text holding a visible ASCII character, which trim never removes, is not trimmed."""
    return (f"(case when {text_sql} is null then true when regexp_matches({text_sql}, '[!-~]') then false "
            f"else trim({text_sql}) = '' end)")


def failed_sql(problems: list[tuple[str, str, str, str]]) -> str:
    """True when a row breaks any of the rules (never NULL). Every rule's reason is non-NULL when it fails, so these are
    exactly the rows problems_sql gives a _reason."""
    return "(" + " or ".join(f"coalesce(({failed}), false)" for _, _, _, failed in problems) + ")"


def problems_sql(problems: list[tuple[str, str, str, str]]) -> str:
    """Select list adding _reason, _column, _value from rules given as (column, value SQL, reason SQL, failed SQL).

    A row with several problems is quarantined once: reasons joined with '; ', columns with ', ', values as col='value'.
    """
    items = ", ".join(
        f"{{'col': {sql_literal(column)}, 'val': ({value})::varchar, 'why': ({reason})::varchar, 'bad': coalesce(({failed}), false)}}"
        for column, value, reason, failed in problems
    )
    # The list is only built for rows that break a rule (few): the others cost one boolean test per rule.
    any_failed = failed_sql(problems)
    return f"""
        case when {any_failed} then list_filter([{items}], lambda p: p.bad) else [] end as _problems,
        case when len(_problems) > 0 then array_to_string(list_transform(_problems, lambda p: p.why), '; ') end as _reason,
        case when len(_problems) > 0 then array_to_string(list_transform(_problems, lambda p: p.col), ', ') end as _column,
        case when len(_problems) = 1 then _problems[1].val
             when len(_problems) > 1 then array_to_string(
                 list_transform(_problems, lambda p: p.col || '=''' || coalesce(p.val, '') || ''''), '; ')
        end as _value
    """
