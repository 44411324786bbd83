"""Staff SQL on the published warehouse, one query or the interactive shell: answers queries, and refuses writes, ATTACH,
file access, extensions and system commands clearly."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from edukpi.settings import PROJECT_ROOT
from edukpi.sql import connect_readonly

from tests.conftest import BuiltPipeline, run_edukpi


def test_query_prints_a_number(built_pipeline: BuiltPipeline) -> None:
    result = run_edukpi(["sql", "select count(*) as units_quarters from marts.kpi_quota_fulfilment"], built_pipeline.env)
    assert result.returncode == 0, result.stderr
    assert "units_quarters" in result.stdout
    digits = [token for token in result.stdout.replace("│", " ").split() if token.isdigit()]
    assert digits and int(digits[-1]) > 0


def test_csv_and_xlsx_export(built_pipeline: BuiltPipeline, tmp_path) -> None:
    csv_path, xlsx_path = tmp_path / "q.csv", tmp_path / "q.xlsx"
    sql = "select unit_code, quarter, articles_submitted from marts.kpi_quota_fulfilment order by 1, 2"
    assert run_edukpi(["sql", sql, "--csv", str(csv_path)], built_pipeline.env).returncode == 0
    assert run_edukpi(["sql", sql, "--xlsx", str(xlsx_path)], built_pipeline.env).returncode == 0
    from_csv = pl.read_csv(csv_path)
    from_xlsx = pl.read_excel(xlsx_path)
    assert from_csv.height > 0 and from_csv.height == from_xlsx.height
    assert from_csv["articles_submitted"].to_list() == from_xlsx["articles_submitted"].to_list()


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("create table marts.x as select 1", "read-only"),
        ("delete from marts.kpi_quota_fulfilment", "read-only"),
        ("attach '/tmp/other.duckdb' as other", "disabled by configuration"),
        ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
        ("copy marts.kpi_quota_fulfilment to '/tmp/leak.csv'", "disabled by configuration"),
        ("install httpfs", "disabled by configuration"),
        ("load httpfs", "disabled through configuration"),
        ("set enable_external_access = true", "locked"),
    ],
)
def test_forbidden_statements_fail_clearly(built_pipeline: BuiltPipeline, statement: str, message: str) -> None:
    result = run_edukpi(["sql", statement], built_pipeline.env)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_staff_see_no_raw_or_free_text_tables(built_pipeline: BuiltPipeline) -> None:
    result = run_edukpi(
        ["sql", "select distinct table_schema from information_schema.tables order by 1"], built_pipeline.env
    )
    assert result.returncode == 0
    assert "raw" not in result.stdout.split()
    assert "quarantine" not in result.stdout


# --- the interactive shell (`edukpi sql` with no query, `make sql`) ---------------------------------------------------

def run_shell(script: str, env: dict[str, str], command: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """A scripted shell session: the statements arrive on stdin, as when a staff member pastes them."""
    command = command or [str(Path(sys.executable).with_name("edukpi")), "sql"]
    return subprocess.run(command, input=script, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_shell_answers_queries(built_pipeline: BuiltPipeline) -> None:
    script = (
        "select count(*) as units_quarters from marts.kpi_quota_fulfilment;\n"
        "select quarter,\n"
        "       count(*) filter (where quota_met) as met -- a comment; with a semicolon\n"
        "from marts.kpi_quota_fulfilment where unit_type = 'district_office'\n"
        "group by quarter order by quarter;\n"
        ".tables\n"
        ".schema marts.dim_date\n"
        "select 'it''s; fine' as text\n"
    )
    result = run_shell(script, built_pipeline.env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    con = connect_readonly(built_pipeline.settings.warehouse_db)
    try:
        (units_quarters,) = con.sql("select count(*) from marts.kpi_quota_fulfilment").fetchone()
        first_quarter = con.sql("select min(quarter) from marts.kpi_quota_fulfilment").fetchone()[0]
    finally:
        con.close()
    assert str(units_quarters) in result.stdout.replace("│", " ").split()
    assert first_quarter in result.stdout
    assert "kpi_quota_fulfilment" in result.stdout and "unit_registry" in result.stdout  # .tables
    assert "working_day_seq" in result.stdout  # .schema
    assert "it's; fine" in result.stdout  # the last statement may lack its ';'
    assert "quarantine" not in result.stdout and "stg_" not in result.stdout


@pytest.mark.parametrize(
    "command",
    [".shell", ".system", ".sh", ".read", ".output", ".once", ".import", ".open", ".pager", ".edit", ".cd", ".log", ".excel"],
)
def test_shell_has_no_command_that_reaches_the_system_or_files(
    built_pipeline: BuiltPipeline, tmp_path: Path, command: str
) -> None:
    marker = tmp_path / "touched"
    # Each would run a program, read a file or write one in the DuckDB CLI (`.pager` and `.edit` even with -safe).
    argument = {
        ".read": "/etc/hostname",
        ".import": f"/etc/hostname {marker}",
        ".open": str(marker),
        ".cd": str(tmp_path),
        ".output": str(marker),
        ".once": str(marker),
        ".log": str(marker),
    }.get(command, f"touch {marker}")
    result = run_shell(f"{command} {argument}\nselect 1 as still_here;\n", built_pipeline.env)
    assert f"disabled command: {command}" in result.stderr
    assert "still_here" in result.stdout  # refused, and the session goes on
    assert result.returncode == 1  # a piped script with a refused line fails, like one with an SQL error
    assert not marker.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("select * from read_text('/etc/hostname');", "disabled by configuration"),
        ("copy marts.dim_unit to '{tmp}/leak.csv';", "disabled by configuration"),
        ("attach '{tmp}/other.duckdb' as other;", "disabled by configuration"),
        ("create table marts.mine as select 1;", "read-only"),
        ("update marts.dim_unit set unit_name = 'x';", "read-only"),
        ("install httpfs;", "disabled by configuration"),
        ("set enable_external_access = true;", "locked"),
    ],
)
def test_shell_refuses_files_and_writes_in_sql(
    built_pipeline: BuiltPipeline, tmp_path: Path, statement: str, message: str
) -> None:
    result = run_shell(statement.format(tmp=tmp_path) + "\n", built_pipeline.env)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert not list(tmp_path.iterdir())


def test_shell_in_a_terminal(built_pipeline: BuiltPipeline) -> None:
    """The interactive session staff get from `make sql`: banner, prompts, a multi-line query, a refusal, .quit."""
    import pty
    import select

    edukpi = str(Path(sys.executable).with_name("edukpi"))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the shell, with the pseudo-terminal as its stdin and stdout
        try:
            os.execve(edukpi, [edukpi, "sql"], {**built_pipeline.env, "TERM": "dumb", "COLUMNS": "120"})
        finally:
            os._exit(127)
    output = b""

    def send_and_wait(line: bytes | None, answer: bytes) -> None:
        """Type `line`, then read until `answer` shows up in what the terminal printed after it."""
        nonlocal output
        mark = len(output)
        if line is not None:
            os.write(fd, line + b"\r")
        deadline = time.monotonic() + 60
        while answer not in output[mark:] and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    output += os.read(fd, 65536)
                except OSError:  # the shell has exited
                    return
        assert answer in output[mark:], output.decode("utf-8", errors="replace")[-2000:]

    try:
        send_and_wait(None, b"edukpi> ")
        send_and_wait(b"select count(*) as district_offices", b"...> ")
        send_and_wait(b"from marts.dim_unit where unit_type = 'district_office';", b"\xe2\x94\x94")  # the table's corner
        send_and_wait(b".shell id", b"disabled command: .shell")
        os.write(fd, b".quit\r")
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    text = output.decode("utf-8", errors="replace")
    assert "read-only" in text and str(built_pipeline.settings.warehouse_db) in text  # the banner
    assert "uid=" not in text
    assert os.waitstatus_to_exitcode(status) == 0


def test_make_sql_opens_the_shell(built_pipeline: BuiltPipeline) -> None:
    # -o install: take the venv as installed (the suite runs inside it), only the `sql` recipe runs.
    result = run_shell(
        "select 6 * 7 as answer;\n", built_pipeline.env, ["make", "--no-print-directory", "-s", "-o", "install", "sql"]
    )
    assert result.returncode == 0, result.stderr
    assert "answer" in result.stdout and "42" in result.stdout


def test_shell_session_keeps_its_snapshot_until_refresh(built_warehouse: Path, tmp_path: Path) -> None:
    """A session reads the warehouse it opened, also after a new one is published; `.refresh` switches to the new one."""
    import io
    import shutil

    import duckdb

    from edukpi.sql import SqlShell

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(built_warehouse, warehouse)

    def publish_a_new_warehouse() -> None:
        staging = tmp_path / ".warehouse.duckdb.tmp"
        with duckdb.connect(str(staging)) as con:
            con.execute("create schema marts; create table marts.dim_unit as select 'NEW_UNIT' as unit_code")
        os.replace(staging, warehouse)

    class Typist(io.StringIO):
        """Stdin that publishes a new warehouse just before the shell reads its third line."""

        lines_read = 0

        def readline(self, *args: object) -> str:
            self.lines_read += 1
            if self.lines_read == 3:
                publish_a_new_warehouse()
            return super().readline(*args)

    probe = "select count(*) as units from marts.dim_unit;\n"
    stdout, stderr = io.StringIO(), io.StringIO()
    shell = SqlShell(warehouse, stdin=Typist(probe * 3 + ".refresh\n" + probe), stdout=stdout, stderr=stderr)
    assert shell.run() == 0, stderr.getvalue()
    counts = [int(token) for token in stdout.getvalue().replace("│", " ").split() if token.isdigit()]
    con = connect_readonly(built_warehouse)
    (old_units,) = con.sql("select count(*) from marts.dim_unit").fetchone()
    con.close()
    assert counts == [old_units, old_units, old_units, 1]


# --- descriptions, one-shot output, CSV encoding, table names (issue #14) -----------------------------------------------

def test_every_published_table_and_column_has_its_dbt_description(built_pipeline: BuiltPipeline) -> None:
    """dbt's persist_docs writes the descriptions into the build file; publish copies them into the published one."""
    con = connect_readonly(built_pipeline.settings.warehouse_db)
    try:
        columns = con.sql(
            "select schema_name, table_name, column_name, comment from duckdb_columns() "
            "where schema_name in ('marts', 'reference')"
        ).fetchall()
        tables = con.sql(
            "select schema_name, table_name, comment from duckdb_tables() where schema_name in ('marts', 'reference')"
        ).fetchall()
        (described_in_information_schema,) = con.sql(
            "select count(*) from information_schema.columns "
            "where table_schema in ('marts', 'reference') and coalesce(column_comment, '') <> ''"
        ).fetchone()
        (date_comment,) = con.sql(
            "select comment from duckdb_columns() where schema_name = 'marts' and table_name = 'fct_article_submissions' "
            "and column_name = 'submitted_at'"
        ).fetchone()
    finally:
        con.close()
    assert len(columns) > 100 and {schema for schema, *_ in columns} == {"marts", "reference"}
    assert [f"{s}.{t}.{c}" for s, t, c, comment in columns if not (comment or "").strip()] == []
    assert [f"{s}.{t}" for s, t, comment in tables if not (comment or "").strip()] == []
    assert described_in_information_schema == len(columns)
    assert date_comment == "Thời điểm gửi (giờ địa phương) / Local submission time."  # the yml's text, unchanged


def test_shell_describe_shows_a_table_with_its_descriptions(built_pipeline: BuiltPipeline) -> None:
    result = run_shell(
        ".describe marts.fct_article_submissions\n.describe dim_unit\n.describe no_such_table\n", built_pipeline.env
    )
    assert "marts.fct_article_submissions: Mỗi bài viết các đơn vị gửi" in result.stdout  # the table's description
    row = next(line for line in result.stdout.splitlines() if "│ submitted_at " in line)
    assert "TIMESTAMP" in row and "Local submission time." in row  # column, type and description on one row
    assert "marts.dim_unit: " in result.stdout and "quota_articles_per_quarter" in result.stdout  # a bare name
    assert "no such table: no_such_table" in result.stderr
    assert result.returncode == 1  # the unknown table


def test_one_shot_query_prints_the_shell_table(built_pipeline: BuiltPipeline) -> None:
    """`edukpi sql "…"` prints the same DuckDB table as the shell, long Vietnamese text included, no Polars frame."""
    query = "select unit_code, unit_name, valid_from from marts.dim_unit order by unit_code"
    one_shot = run_edukpi(["sql", query], built_pipeline.env)
    shell = run_shell(query + ";\n", built_pipeline.env)
    assert one_shot.returncode == 0, one_shot.stderr
    assert "shape: (" not in one_shot.stdout and "┌" in one_shot.stdout
    assert one_shot.stdout == shell.stdout
    con = connect_readonly(built_pipeline.settings.warehouse_db)
    longest = con.sql("select unit_name from marts.dim_unit order by length(unit_name) desc limit 1").fetchone()[0]
    con.close()
    assert longest in one_shot.stdout  # whole, not cut at 60 characters


def test_csv_starts_with_a_bom_for_excel_unless_asked_not_to(built_pipeline: BuiltPipeline, tmp_path: Path) -> None:
    sql = "select unit_code, unit_name from marts.dim_unit order by unit_code"
    for_excel, plain = tmp_path / "excel.csv", tmp_path / "plain.csv"
    assert run_edukpi(["sql", sql, "--csv", str(for_excel)], built_pipeline.env).returncode == 0
    assert run_edukpi(["sql", sql, "--csv", str(plain), "--no-bom"], built_pipeline.env).returncode == 0
    bom = "\ufeff".encode("utf-8")
    assert for_excel.read_bytes().startswith(bom + b"unit_code,unit_name\n")
    assert plain.read_bytes().startswith(b"unit_code,unit_name\n")
    assert for_excel.read_bytes()[len(bom):] == plain.read_bytes()
    assert "Phòng Giáo dục và Đào tạo".encode("utf-8") in plain.read_bytes()  # UTF-8, NFC as in the warehouse
    help_text = run_edukpi(["sql", "--help"], built_pipeline.env).stdout
    assert "BOM" in help_text and "--no-bom" in help_text


def test_completion_offers_tables_with_their_schema_and_bare_names_work(built_pipeline: BuiltPipeline) -> None:
    import io

    from edukpi.sql import SqlShell

    shell = SqlShell(built_pipeline.settings.warehouse_db, stdin=io.StringIO(""), stdout=io.StringIO(), stderr=io.StringIO())
    try:
        words = shell.completion_words()
        tables = shell.con.sql(
            "select table_schema, table_name from information_schema.tables where table_schema in ('marts', 'reference')"
        ).fetchall()
        assert tables
        for schema, table in tables:
            assert f"{schema}.{table}" in words
            assert table not in words  # a bare name is not offered (it is still typed by hand, see below)
        for word in words:
            if "." in word and not word.startswith("."):
                assert shell.con.sql(f"select * from {word} limit 0") is not None
        # The search path: every table by its bare name, marts first
        for _, table in tables:
            assert shell.con.sql(f"select count(*) from {table}").fetchone()[0] >= 0
    finally:
        shell.con.close()
    result = run_edukpi(["sql", "select count(*) as units from dim_unit"], built_pipeline.env)
    assert result.returncode == 0, result.stderr
    assert "units" in result.stdout
