"""Web-server access logs (Combined Log Format, plain or gzip) -> raw.access_log_hits, bots and page views flagged, IPs hashed."""
from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from ingestion.contracts import ACCESS_LOG_HITS
from ingestion.daily import DailySource, DayFile, files_table, insert_quarantine, per_file_counts, problems_sql, sql_list
from ingestion.pseudonymise import IP_MASK, IPV4_PATTERN, mask_contacts_sql

# ip ident user [time] "request" status bytes "referrer" "user agent"  (quoted fields may contain \" escapes)
QUOTED = r'"((?:[^"\\]|\\.)*)"'
LOG_PATTERN = rf"^(\S+) \S+ \S+ \[([^\]]+)\] {QUOTED} (\d{{3}}) (\d+|-) {QUOTED} {QUOTED}\s*$"
LOG_FIELDS = "['ip', 'time', 'request', 'status', 'bytes', 'referrer', 'user_agent']"
REQUEST_PATTERN = r"^([A-Z]+) (\S+)(?: HTTP/[0-9.]+)?$"
# Spec: bot if the user agent matches (case-insensitive) this list; 'zalo' but not 'zaloapp' (the in-app browser of people).
BOT_PATTERN = r"bot|crawl|spider|slurp|curl|wget|python-requests|httpclient|headless|facebookexternalhit|zalo"
# Downloads and page resources, not page views (a PDF is a download).
STATIC_EXTENSIONS = ("css", "js", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "woff", "woff2", "ttf", "map", "pdf")
FORMAT_WORDS = 'ip - - [dd/Mon/yyyy:HH:MM:SS +hhmm] "METHOD path HTTP/x" status bytes "referrer" "user agent"'


def _masked_line(column: str) -> str:
    no_ip = f"regexp_replace(regexp_replace({column}, '^\\S+', '{IP_MASK}'), '{IPV4_PATTERN}', '{IP_MASK}', 'g')"
    return f"left({mask_contacts_sql(no_ip)}, 300)"


def _read_lines(con: duckdb.DuckDBPyConnection, files: list[DayFile]) -> None:
    """Temp table _log_lines(path, source_line, line, pre_reason): every line of every file, in one DuckDB read."""
    reader = (
        f"read_csv({sql_list([f.path for f in files])}, columns = {{'line': 'VARCHAR'}}, header = false, delim = '\x01', "
        "quote = '', escape = '', filename = true, compression = 'auto'EXTRA) with ordinality"
    )
    # Lines that are not UTF-8 (nginx writes such bytes as \xHH, so the file was altered) are set aside by DuckDB
    # instead of failing the read; they are quarantined, and the others' line numbers are rebuilt from the gaps.
    con.execute(
        f"""
        create or replace temp table _log_accepted as
        select filename as path, ordinality - min(ordinality) over (partition by filename) + 1 as k, line
        from {reader.replace("EXTRA", ", store_rejects = true, rejects_table = '_log_rejects', rejects_scan = '_log_reject_scans'")}
        """
    )
    if con.execute("select count(*) from _log_rejects").fetchone()[0] == 0:
        con.execute(
            "create or replace temp table _log_lines as "
            "select path, k::integer as source_line, line, null::varchar as pre_reason from _log_accepted"
        )
        return
    con.execute(
        """
        create or replace temp table _log_lines as
        with rejected as (
            select distinct s.file_path as path, e.line::bigint as n, e.csv_line
            from _log_rejects e join _log_reject_scans s using (scan_id, file_id)
        ),
        totals as (
            select path, coalesce(a.n_accepted, 0) + coalesce(r.n_rejected, 0) as n_lines
            from (select path, count(*) as n_accepted from _log_accepted group by path) a
            full join (select path, count(*) as n_rejected from rejected group by path) r using (path)
        ),
        kept as (
            select t.path, g.n, row_number() over (partition by t.path order by g.n) as k
            from totals t, generate_series(1, t.n_lines) g(n)
            where not exists (select 1 from rejected r where r.path = t.path and r.n = g.n)
        )
        select a.path, kept.n::integer as source_line, a.line, null::varchar as pre_reason
        from _log_accepted a join kept using (path, k)
        union all
        select path, n::integer, trim(csv_line, chr(10) || chr(13)), 'the line is not valid UTF-8 text' from rejected
        """
    )


RULES = [
    ("(whole row)", "masked_line", "pre_reason", "pre_reason is not null"),
    ("(whole row)", "masked_line", f"'the line is not in Combined Log Format; expected {FORMAT_WORDS}'",
     "pre_reason is null and not well_formed"),
    ("time", "m.time", "'time ''' || m.time || ''' is not a valid time; expected dd/Mon/yyyy:HH:MM:SS +hhmm'",
     "well_formed and (naive_ts is null or zone.sign = '')"),
    ("request", "masked_request", "'request ''' || masked_request || ''' is not METHOD path HTTP/x'",
     "well_formed and request.method = ''"),
]


def _fields_sql(line: str) -> str:
    """The log fields as a struct. nginx writes '"' inside fields as \\x22, so splitting on '"' is exact and cheap;
    a line with backslash-escaped quotes (Apache style) is parsed with the full pattern instead."""
    quoted = f"string_split({line}, '\"')"
    return f"""
        case when contains({line}, '\\"') then regexp_extract({line}, '{LOG_PATTERN}', {LOG_FIELDS})
        else {{
            'ip': split_part({line}, ' ', 1),
            'time': split_part(split_part({line}, '[', 2), ']', 1),
            'request': {quoted}[2],
            'status': split_part(trim({quoted}[3]), ' ', 1),
            'bytes': split_part(trim({quoted}[3]), ' ', 2),
            'referrer': {quoted}[4],
            'user_agent': {quoted}[6]
        }} end
    """


def load(con: duckdb.DuckDBPyConnection, files: list[DayFile], loaded_at: dt.datetime) -> pl.DataFrame:
    files_table(con, files, {"host": [f.source_file.split("/")[-2].lower() for f in files]})
    _read_lines(con, files)
    static = ", ".join(f"'{e}'" for e in STATIC_EXTENSIONS)
    # Each step is materialised: DuckDB would otherwise re-evaluate the parsed struct at every reference.
    con.execute(
        f"""
        create or replace temp table _log_matched as
        select *, coalesce(regexp_matches(line, '{LOG_PATTERN}'), false) as well_formed
        from _log_lines where nullif(trim(line), '') is not null
        """
    )
    con.execute(
        f"""
        create or replace temp table _log_parsed as
        select f.source_file, f.fingerprint, f.host, l.source_line, l.line, l.pre_reason, l.well_formed,
               case when l.well_formed then {_fields_sql('l.line')} end as m
        from _log_matched l join _files f using (path)
        """
    )
    con.execute(
        f"""
        create or replace temp table _log_typed as
        select *,
               try_strptime(split_part(m.time, ' ', 1), '%d/%b/%Y:%H:%M:%S') as naive_ts,
               regexp_extract(m.time, ' ([+-])([0-9]{{2}})([0-9]{{2}})$', ['sign', 'hh', 'mm']) as zone,
               regexp_extract(m.request, '{REQUEST_PATTERN}', ['method', 'target']) as request,
               case when pre_reason is not null or not well_formed then {_masked_line('line')} end as masked_line,
               case when well_formed then left({mask_contacts_sql('m.request')}, 300) end as masked_request
        from _log_parsed
        """
    )
    con.execute(f"create or replace temp table _log_checked as select * exclude (_problems) from (select *, {problems_sql(RULES)} from _log_typed)")
    con.execute(
        f"""
        create or replace temp table _log_staged as
        select * replace (
            coalesce(_reason, case when first_line <> source_line
                                   then 'duplicate of line ' || first_line || ' (the same line twice)' end) as _reason,
            coalesce(_column, case when first_line <> source_line then '(whole row)' end) as _column,
            coalesce(_value, case when first_line <> source_line then {_masked_line('line')} end) as _value
        )
        from (
            select *, min(case when _reason is null then source_line end) over (partition by source_file, line) as first_line
            from _log_checked
        )
        """
    )
    counts = per_file_counts(con, "_log_staged")
    # Few distinct clients: each address is hashed once.
    con.execute(
        "create or replace temp table _log_clients as "
        "select ip, hmac_key(ip) as client_key from (select distinct m.ip as ip from _log_staged where _reason is null)"
    )
    con.execute(
        """
        create or replace temp table _log_ready as
        select source_file, source_line, fingerprint, host, m.ip as ip, request.method as method,
               regexp_extract(request.target, '^([^?#]*)', 1) as path_only,
               try_cast(m.status as integer) as status, try_cast(nullif(m.bytes, '-') as bigint) as bytes,
               nullif(m.referrer, '-') as referrer, nullif(m.user_agent, '-') as user_agent,
               -- local wall-clock time (UTC+7) from the logged time and its offset
               naive_ts - to_minutes((case zone.sign when '-' then -1 else 1 end)
                                     * (try_cast(zone.hh as integer) * 60 + try_cast(zone.mm as integer)))
                        + interval 7 hour as hit_local_ts
        from _log_staged where _reason is null
        """
    )
    # Few distinct user agents: each is classified once.
    con.execute(
        f"""
        create or replace temp table _log_agents as
        select user_agent, coalesce(regexp_matches(replace(lower(user_agent), 'zaloapp', ''), '{BOT_PATTERN}'), false) as is_bot
        from (select distinct user_agent from _log_ready)
        """
    )
    con.execute(
        f"""
        insert into raw.access_log_hits
        select hit_local_ts, hit_local_ts::date, host, c.client_key, method, {mask_contacts_sql('path_only')},
               status, bytes, {mask_contacts_sql('referrer')}, {mask_contacts_sql('s.user_agent')},
               coalesce(a.is_bot, false),
               method = 'GET' and status in (200, 304) and not coalesce(a.is_bot, false)
               and not coalesce(regexp_extract(lower(path_only), '\\.([a-z0-9]+)$', 1) in ({static}), false),
               source_file, source_line, fingerprint, ?
        from _log_ready s
        left join _log_clients c on c.ip = s.ip
        left join _log_agents a on a.user_agent is not distinct from s.user_agent
        """,
        [loaded_at],
    )
    insert_quarantine(con, ACCESS_LOG_HITS.source, "_log_staged", loaded_at)
    for table in ("_log_lines", "_log_parsed", "_log_typed", "_log_checked", "_log_staged", "_log_clients", "_log_ready",
                  "_log_matched", "_log_agents",
                  "_log_accepted", "_log_rejects", "_log_reject_scans"):
        con.execute(f"drop table if exists {table}")
    return counts


SOURCE = DailySource(
    contract=ACCESS_LOG_HITS,
    patterns=("analytics/access_logs/*/access-*.log", "analytics/access_logs/*/access-*.log.gz"),
    day_pattern=r"^access-(\d{8})\.log",
    load=load,
    # A log rotated at midnight can hold the last seconds of the day before: a day here is the day of the file, so
    # re-loading a day deletes the rows of that day's files (whatever their hit_date), not rows by hit_date.
    delete_days_sql="delete from raw.access_log_hits where source_file in (select source_file from _stale_files)",
    needs_key=True,
    accepted_forms="one host's access log of one day in Combined Log Format, UTF-8 text, plain or gzip",
)
