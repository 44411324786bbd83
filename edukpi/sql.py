"""Staff's ad-hoc SQL on the published warehouse: read-only, no file system, no extensions, configuration locked."""
from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

import duckdb

# DuckDB refuses to re-enable external access on a running database, and the lock stops every other setting change.
LOCKED_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}

# Schemas staff may browse (publish.py copies only these into the published file). They are also the search path, so
# `kpi_quota_fulfilment` finds `marts.kpi_quota_fulfilment`.
STAFF_SCHEMAS = ("marts", "reference")
DEFAULT_MAX_ROWS = 40


def connect_readonly(warehouse_db: Path) -> duckdb.DuckDBPyConnection:
    """A locked, read-only connection to the published warehouse.

    DuckDB caches one database instance per file and process: while any connection of this process is open on
    `warehouse_db`, a new connection to the same path gets that instance, i.e. the snapshot of the file as it was when
    the first one opened it, even after a newer warehouse has been published. Close every connection to see the new one.
    """
    if not warehouse_db.exists():
        raise SystemExit(f"{warehouse_db} does not exist yet: run `make run` first to build and publish the warehouse.")
    con = duckdb.connect(str(warehouse_db), read_only=True, config=dict(LOCKED_CONFIG))
    # search_path is a per-connection setting, so the configuration lock does not stop it (it is not a global option).
    # DuckDB refuses a schema that is not in the file.
    present = {schema for (schema,) in con.execute("select schema_name from information_schema.schemata").fetchall()}
    search_path = [schema for schema in STAFF_SCHEMAS if schema in present]
    if search_path:
        con.execute(f"set search_path = '{','.join(search_path)}'")
    return con


def show_relation(relation: duckdb.DuckDBPyRelation, out: TextIO, max_rows: int, terminal: bool) -> None:
    """Print a result as DuckDB's box table, as the shell and `edukpi sql "…"` both do."""
    # A terminal gets DuckDB's column folding; a pipe or file gets every column.
    width = shutil.get_terminal_size().columns if terminal else 1000
    # show() prints through Python's sys.stdout, so `out` gets it.
    previous, sys.stdout = sys.stdout, out
    try:
        relation.show(max_rows=max_rows, max_width=width)
    finally:
        sys.stdout = previous


def run_sql(warehouse_db: Path, query: str | None, csv_path: str | None = None, xlsx_path: str | None = None,
            csv_bom: bool = True, max_rows: int = DEFAULT_MAX_ROWS) -> int:
    """Run one query and print it as a table (or write CSV/XLSX); with no query, open the interactive SQL shell.

    CSV files start with a UTF-8 byte-order mark unless `csv_bom` is False: without it Excel on Windows reads the file
    as the local code page and garbles Vietnamese.
    """
    if query is None:
        return open_shell(warehouse_db)
    con = connect_readonly(warehouse_db)
    try:
        relation = con.sql(query)
        if relation is None:
            print("OK")
            return 0
        if not (csv_path or xlsx_path):
            show_relation(relation, sys.stdout, max_rows, terminal=sys.stdout.isatty())
            return 0
        frame = relation.pl()
    except duckdb.Error as error:
        print(f"SQL error: {error}", file=sys.stderr)
        return 1
    finally:
        con.close()
    # Files are written by Python, not by DuckDB: the staff connection itself has no file-system access.
    if csv_path:
        frame.write_csv(csv_path, include_bom=csv_bom)
        encoding = "UTF-8 with BOM, for Excel" if csv_bom else "plain UTF-8"
        print(f"{frame.height} rows written to {csv_path} ({encoding})")
    if xlsx_path:
        frame.write_excel(xlsx_path, autofit=True)
        print(f"{frame.height} rows written to {xlsx_path}")
    return 0


# --- the interactive shell -------------------------------------------------------------------------------------------
# Why not the DuckDB CLI: in duckdb-cli 1.5.6 `-safe` blocks .shell/.read/.output/.open/.import, but `.pager CMD` still
# runs any command and `.edit` starts $EDITOR, and neither can be switched off. Why not Harlequin: its export, open/save
# query and file-tree features write and read files through Python, outside the locked connection. This shell only
# has the commands below; everything else it sends to the locked, read-only DuckDB connection.

HELP_TEXT = """\
Kết thúc mỗi câu lệnh SQL bằng dấu ';' (có thể viết trên nhiều dòng) / End each SQL statement with ';' (it may span lines).
  .tables [MẪU]      các bảng / the tables (marts = KPI, facts, dimensions; reference = registry, quotas, SLA)
  .schema BẢNG       các cột và kiểu / a table's columns and types, e.g. .schema marts.kpi_quota_fulfilment
  .describe BẢNG     bảng, các cột, kiểu và ý nghĩa / a table's description, columns, types and what each holds
  .maxrows N         số dòng hiển thị tối đa / rows shown per result (now {max_rows})
  .timer on|off      thời gian chạy / show each query's run time
  .refresh           mở bản kho mới nhất đã công bố / switch to the latest published warehouse
  .help              trợ giúp này / this help
  .quit              thoát / leave (also Ctrl-D)
Tables may be written with or without their schema: marts.dim_unit or dim_unit (marts, then reference).
Read-only: no writing, no other files, no extensions. Recipes: docs/sql-cookbook.md.
"""

DOT_COMMANDS = (".tables", ".schema", ".describe", ".maxrows", ".timer", ".refresh", ".help", ".quit")

SQL_KEYWORDS = (
    "select from where group by order having limit offset join left right inner full outer on using as and or not "
    "in is null like ilike between case when then else end distinct count sum avg min max median quantile_cont "
    "filter over partition with union all except intersect desc asc nulls first last round coalesce describe "
    "summarize date interval extract strftime"
).split()


def split_statements(buffer: str) -> tuple[list[str], str]:
    """Split off the statements of `buffer` that are complete (end with ';' outside quotes and comments).

    Returns the complete statements (without the ';', blank ones dropped) and the incomplete rest.
    """
    statements: list[str] = []
    start = 0
    position = 0
    length = len(buffer)
    while position < length:
        char = buffer[position]
        if char in ("'", '"'):
            closing = buffer.find(char, position + 1)
            # A doubled quote inside a literal ('it''s') is just the next literal starting right away.
            position = length if closing < 0 else closing + 1
            continue
        if buffer.startswith("--", position):
            newline = buffer.find("\n", position)
            position = length if newline < 0 else newline + 1
            continue
        if buffer.startswith("/*", position):
            closing = buffer.find("*/", position + 2)
            position = length if closing < 0 else closing + 2
            continue
        if char == "$":
            tag_end = buffer.find("$", position + 1)
            tag = buffer[position : tag_end + 1] if tag_end > 0 else ""
            if tag and (tag == "$$" or tag[1:-1].isidentifier()):
                closing = buffer.find(tag, tag_end + 1)
                position = length if closing < 0 else closing + len(tag)
                continue
        if char == ";":
            statement = buffer[start:position].strip()
            if statement and not _only_comments(statement):
                statements.append(statement)
            start = position + 1
        position += 1
    return statements, buffer[start:]


def _only_comments(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    return all(not line or line.startswith("--") for line in lines) and "/*" not in text


@dataclass
class SqlShell:
    """A small read-line SQL shell over `connect_readonly`: statements end with ';', results print as DuckDB tables."""

    warehouse_db: Path
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    max_rows: int = DEFAULT_MAX_ROWS
    timer: bool = False
    errors: int = 0

    def __post_init__(self) -> None:
        self.interactive = self.stdin.isatty() and self.stdout.isatty()
        self._open()

    # connection --------------------------------------------------------------------------------------------------
    def _open(self) -> None:
        # Look at the file before connecting: a publication in between shows as "newer" instead of going unnoticed.
        stat = self.warehouse_db.stat() if self.warehouse_db.exists() else None
        self.con = connect_readonly(self.warehouse_db)
        stat = stat or self.warehouse_db.stat()
        self._opened_file = (stat.st_ino, stat.st_mtime_ns)
        self._opened_at = datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M")
        self._newer_noticed = False

    def _refresh(self) -> None:
        # Close first: DuckDB would hand a new connection the cached, old database instance (see connect_readonly).
        self.con.close()
        self._open()
        self._say(f"Đang đọc bản công bố lúc / now reading the warehouse published at {self._opened_at}.")

    def _notice_newer_publication(self) -> None:
        if self._newer_noticed:
            return
        try:
            stat = self.warehouse_db.stat()
        except FileNotFoundError:
            return
        if (stat.st_ino, stat.st_mtime_ns) != self._opened_file:
            self._newer_noticed = True
            published = datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M")
            self._say(
                f"Có bản kho mới công bố lúc {published}; phiên này vẫn đọc bản {self._opened_at}. Gõ .refresh để chuyển. / "
                f"A newer warehouse was published at {published}; this session still reads the one of {self._opened_at}. "
                "Type .refresh to switch."
            )

    # input and output --------------------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def _error(self, text: str) -> None:
        self.errors += 1
        print(text, file=self.stderr, flush=True)

    def _read_line(self, prompt: str) -> str | None:
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                return None
        line = self.stdin.readline()
        return None if line == "" else line.rstrip("\n")

    def completion_words(self) -> list[str]:
        """What Tab offers: schemas, tables with their schema (`marts.dim_unit`), columns, SQL keywords, dot commands."""
        names = {
            name
            for row in self.con.execute(
                "select table_schema, table_name, column_name from information_schema.columns where table_schema in ?",
                [list(STAFF_SCHEMAS)],
            ).fetchall()
            for name in (row[0], f"{row[0]}.{row[1]}", row[2])
        }
        return sorted(names | set(SQL_KEYWORDS) | set(DOT_COMMANDS))

    def _setup_readline(self) -> None:
        try:
            import readline
        except ImportError:  # no line editing on this platform: plain input() still works
            return
        words = self.completion_words()

        def complete(text: str, state: int) -> str | None:
            matches = [word for word in words if word.startswith(text.lower())]
            return matches[state] if state < len(matches) else None

        readline.set_completer_delims(" \t\n,()=<>;'\"")
        readline.set_completer(complete)
        # History stays in memory: the shell writes no files.
        readline.parse_and_bind("bind ^I rl_complete" if "libedit" in (readline.__doc__ or "") else "tab: complete")

    # the loop ----------------------------------------------------------------------------------------------------
    def run(self) -> int:
        if self.interactive:
            self._setup_readline()
            self._say(
                f"edukpi SQL — kho dữ liệu đã công bố, chỉ đọc / published warehouse, read-only\n"
                f"{self.warehouse_db} (công bố lúc / published {self._opened_at})\n"
                "Kết thúc câu lệnh bằng ';' / End statements with ';'.  .help  .tables  .quit"
            )
        buffer = ""
        try:
            while True:
                if not buffer and self.interactive:
                    self._notice_newer_publication()
                try:
                    line = self._read_line("edukpi> " if not buffer else "   ...> ")
                except KeyboardInterrupt:
                    self._say("^C")
                    buffer = ""
                    continue
                if line is None:
                    break
                if not buffer.strip() and line.strip().startswith("."):
                    if not self._dot_command(line.strip()):
                        break
                    continue
                buffer += line + "\n"
                statements, buffer = split_statements(buffer)
                if not buffer.strip():
                    buffer = ""
                for statement in statements:
                    self._execute(statement)
            rest = buffer.strip()
            if rest and not _only_comments(rest):
                self._execute(rest)  # the last statement of a piped script may lack its ';'
        finally:
            self.con.close()
        return 1 if self.errors and not self.interactive else 0

    def _execute(self, statement: str, params: list[object] | None = None, empty_message: str | None = None) -> None:
        started = time.perf_counter()
        try:
            relation = self.con.sql(statement, params=params)
            if relation is not None and empty_message and relation.limit(1).fetchone() is None:
                self._error(empty_message)
                return
            if relation is not None:
                show_relation(relation, self.stdout, self.max_rows, terminal=self.interactive)
        except KeyboardInterrupt:
            self._error("Đã dừng câu lệnh / query interrupted")
            return
        except duckdb.Error as error:
            self._error(f"Lỗi / Error: {error}")
            return
        if self.timer:
            self._say(f"Thời gian / run time: {time.perf_counter() - started:.3f} s")

    def _dot_command(self, line: str) -> bool:
        """Run one dot command; False means leave the shell."""
        command, _, argument = line.partition(" ")
        argument = argument.strip()
        if command in (".quit", ".exit", ".q"):
            return False
        if command == ".help":
            self._say(HELP_TEXT.format(max_rows=self.max_rows))
        elif command == ".tables":
            self._execute(
                "select table_schema as schema, table_name as \"table\" from information_schema.tables "
                "where table_schema in ? and table_name ilike ? order by 1, 2",
                [list(STAFF_SCHEMAS), f"%{argument}%"],
                empty_message=f"Không có bảng nào khớp / no table matches {argument!r}",
            )
        elif command == ".schema":
            if not argument:
                self._error("Cách dùng / usage: .schema marts.kpi_quota_fulfilment")
            else:
                self._schema(argument)
        elif command == ".describe":
            if not argument:
                self._error("Cách dùng / usage: .describe marts.kpi_quota_fulfilment")
            else:
                self._describe(argument)
        elif command == ".maxrows":
            if argument.isdigit() and int(argument) > 0:
                self.max_rows = int(argument)
            else:
                self._error("Cách dùng / usage: .maxrows 100")
        elif command == ".timer":
            if argument in ("on", "off"):
                self.timer = argument == "on"
            else:
                self._error("Cách dùng / usage: .timer on|off")
        elif command == ".refresh":
            self._refresh()
        else:
            self._error(
                f"Lệnh không có hoặc bị tắt / unknown or disabled command: {command} "
                "(this shell has no commands that reach files or the system; .help lists the ones it has)"
            )
        return True

    def _schema(self, table: str) -> None:
        schema, _, name = table.rpartition(".")
        self._execute(
            "select table_schema as schema, column_name, data_type from information_schema.columns "
            "where table_schema in ? and (? = '' or table_schema = ?) and table_name = ? "
            "order by table_schema, ordinal_position",
            [list(STAFF_SCHEMAS), schema, schema, name],
            empty_message=f"Không có bảng / no such table: {table} (see .tables)",
        )

    def _describe(self, table: str) -> None:
        """The table's description (dbt's, kept as a DuckDB comment), then each column with its type and description."""
        schema, _, name = table.rpartition(".")
        found = self.con.execute(
            "select table_schema, table_name, coalesce(table_comment, '') from information_schema.tables "
            "where table_schema in ? and (? = '' or table_schema = ?) and table_name = ? "
            "order by array_position(?, table_schema)",
            [list(STAFF_SCHEMAS), schema, schema, name, list(STAFF_SCHEMAS)],
        ).fetchall()
        if not found:
            self._error(f"Không có bảng / no such table: {table} (see .tables)")
            return
        found_schema, found_name, comment = found[0]
        self._say(f"{found_schema}.{found_name}: {comment or '(chưa có mô tả / no description)'}")
        self._execute(
            "select column_name, data_type, coalesce(column_comment, '') as description from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [found_schema, found_name],
        )


def open_shell(warehouse_db: Path) -> int:
    """The interactive SQL shell of `edukpi sql` (and `make sql`) on the published warehouse."""
    return SqlShell(warehouse_db).run()
