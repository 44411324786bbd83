"""Web-server access logs (Combined Log Format, plain or gzip) -> raw.access_log_hits, every hit, IPs hashed.

Which hits are page views (bots, static files, method and status) is a KPI rule: dbt decides it (stg_access_log__hits).
"""
from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from ingestion.contracts import ACCESS_LOG_HITS
from ingestion.daily import (DailySource, DayFile, blank_sql, files_table, insert_quarantine, problems_sql, read_and_quarantined,
                            sql_list)
from ingestion.pseudonymise import IP_MASK, IPV4_PATTERN, mask_contacts_in_url_sql, mask_contacts_sql

# ip ident user [time] "request" status bytes "referrer" "user agent"  (quoted fields may contain \" escapes)
QUOTED = r'"((?:[^"\\]|\\.)*)"'
LOG_PATTERN = rf"^(\S+) \S+ \S+ \[([^\]]+)\] {QUOTED} (\d{{3}}) (\d+|-) {QUOTED} {QUOTED}\s*$"
LOG_FIELDS = "['ip', 'time', 'request', 'status', 'bytes', 'referrer', 'user_agent']"
REQUEST_PATTERN = r"^([A-Z]+) (\S+)(?: HTTP/[0-9.]+)?$"
FORMAT_WORDS = 'ip - - [dd/Mon/yyyy:HH:MM:SS +hhmm] "METHOD path HTTP/x" status bytes "referrer" "user agent"'


def _masked_line(column: str) -> str:
    no_ip = f"regexp_replace(regexp_replace({column}, '^\\S+', '{IP_MASK}'), '{IPV4_PATTERN}', '{IP_MASK}', 'g')"
    return f"left({mask_contacts_sql(no_ip)}, 300)"


def _read_lines(con: duckdb.DuckDBPyConnection, files: list[DayFile]) -> None:
    """Temp table _log_lines(file_id, source_line, line, pre_reason): every line of every file, in one DuckDB read."""
    reader = (
        f"read_csv({sql_list([f.path for f in files])}, columns = {{'line': 'VARCHAR'}}, header = false, delim = '\x01', "
        "quote = '', escape = '', filename = true, compression = 'auto', store_rejects = true, "
        "rejects_table = '_log_rejects', rejects_scan = '_log_reject_scans') with ordinality"
    )
    # Lines that are not UTF-8 (nginx writes such bytes as \xHH, so the file was altered) are set aside by DuckDB
    # instead of failing the read; they are quarantined, and the others' line numbers are rebuilt from the gaps.
    con.execute(
        f"""
        create or replace temp table _log_accepted as
        select f.file_id, (r.ordinality - min(r.ordinality) over (partition by r.filename) + 1)::integer as source_line,
               r.line, null::varchar as pre_reason
        from {reader} r join _files f on f.path = r.filename
        """
    )
    if con.execute("select count(*) from _log_rejects").fetchone()[0] == 0:
        # Every line was read: the numbers counted are the line numbers (the table is renamed, not copied).
        con.execute("drop table if exists _log_lines")
        con.execute("alter table _log_accepted rename to _log_lines")
        return
    con.execute(
        """
        create or replace temp table _log_lines as
        with rejected as (
            select distinct f.file_id, e.line::bigint as n, e.csv_line
            from _log_rejects e join _log_reject_scans s using (scan_id, file_id) join _files f on f.path = s.file_path
        ),
        totals as (
            select file_id, coalesce(a.n_accepted, 0) + coalesce(r.n_rejected, 0) as n_lines
            from (select file_id, count(*) as n_accepted from _log_accepted group by file_id) a
            full join (select file_id, count(*) as n_rejected from rejected group by file_id) r using (file_id)
        ),
        kept as (
            select t.file_id, g.n, row_number() over (partition by t.file_id order by g.n) as k
            from totals t, generate_series(1, t.n_lines) g(n)
            where not exists (select 1 from rejected r where r.file_id = t.file_id and r.n = g.n)
        )
        select a.file_id, kept.n::integer as source_line, a.line, null::varchar as pre_reason
        from _log_accepted a join kept on kept.file_id = a.file_id and kept.k = a.source_line
        union all
        select file_id, n::integer, trim(csv_line, chr(10) || chr(13)), 'the line is not valid UTF-8 text' from rejected
        """
    )
    con.execute("drop table _log_accepted")


# A rule's value and reason are computed only for the rows that break a rule (problems_sql): the request is masked
# there, for those few rows, instead of on every line.
MASKED_REQUEST = f"left({mask_contacts_sql('m.request')}, 300)"

RULES = [
    ("(whole row)", "masked_line", "pre_reason", "pre_reason is not null"),
    ("(whole row)", "masked_line", f"'the line is not in Combined Log Format; expected {FORMAT_WORDS}'",
     "pre_reason is null and not well_formed"),
    ("time", "m.time", "'time ''' || m.time || ''' is not a valid time; expected dd/Mon/yyyy:HH:MM:SS +hhmm'",
     "well_formed and (naive_ts is null or zone.sign = '')"),
    ("request", MASKED_REQUEST, f"'request ''' || {MASKED_REQUEST} || ''' is not METHOD path HTTP/x'",
     "well_formed and request.method = ''"),
]


def _fields_sql(line: str, quoted: str) -> str:
    """The log fields as a struct. nginx writes '"' inside fields as \\x22, so splitting on '"' (`quoted`, the line's
    string_split on '"', computed once) is exact and cheap; a line with backslash-escaped quotes (Apache style) is
    parsed with the full pattern instead. The address is the text before the first space (a well-formed line has
    one): left/strpos, not split_part, which splits the whole line (user agent included) to take its first part."""
    return f"""
        case when contains({line}, '\\"') then regexp_extract({line}, '{LOG_PATTERN}', {LOG_FIELDS})
        else {{
            'ip': left({line}, strpos({line}, ' ') - 1),
            'time': split_part(split_part({line}, '[', 2), ']', 1),
            'request': {quoted}[2],
            'status': split_part(trim({quoted}[3]), ' ', 1),
            'bytes': split_part(trim({quoted}[3]), ' ', 2),
            'referrer': {quoted}[4],
            'user_agent': {quoted}[6]
        }} end
    """


def stage(con: duckdb.DuckDBPyConnection, files: list[DayFile]) -> None:
    """Before the chunk's transaction: every line read, parsed and checked, the quarantine, and the distinct clients,
    user agents, referrers and paths hashed or masked, all in temp tables."""
    files_table(con, files, {"host": [f.source_file.split("/")[-2].lower() for f in files]})
    _read_lines(con, files)
    # The same line twice in a file: the later ones are quarantined as duplicates of the first. Lines of a file that
    # repeat are few: they are found by hash first, then compared in full (a line's checks depend on its text only, so
    # a repeated line passes or fails them like its first; lines set aside as not UTF-8 keep their own reason).
    con.execute(
        """
        create or replace temp table _log_repeated as
        select file_id, line, min(source_line) as first_line
        from _log_lines
        where pre_reason is null and (file_id, hash(line)) in (
            select (file_id, hash(line)) from _log_lines where pre_reason is null
            group by file_id, hash(line) having count(*) > 1
        )
        group by file_id, line having count(*) > 1
        """
    )
    # One statement from the lines to the checked rows, one materialised copy. Nested selects are separate projections
    # in DuckDB: the parsed struct m is evaluated once per line, whatever references it above.
    con.execute(
        f"""
        create or replace temp table _log_staged as
        select file_id, source_line, m, naive_ts, zone, request,
               coalesce(_reason, case when first_line <> source_line
                                      then 'duplicate of line ' || first_line || ' (the same line twice)' end) as _reason,
               coalesce(_column, case when first_line <> source_line then '(whole row)' end) as _column,
               coalesce(_value, case when first_line <> source_line then {_masked_line('line')} end) as _value
        from (
            select *, {problems_sql(RULES)}
            from (
                select *,
                       try_strptime(split_part(m.time, ' ', 1), '%d/%b/%Y:%H:%M:%S') as naive_ts,
                       regexp_extract(m.time, ' ([+-])([0-9]{{2}})([0-9]{{2}})$', ['sign', 'hh', 'mm']) as zone,
                       regexp_extract(m.request, '{REQUEST_PATTERN}', ['method', 'target']) as request,
                       case when pre_reason is not null or not well_formed then {_masked_line('line')} end as masked_line
                from (
                    select file_id, source_line, line, pre_reason, well_formed, first_line,
                           case when well_formed then {_fields_sql('line', '_quoted')} end as m
                    from (
                        select l.file_id, l.source_line, l.line, l.pre_reason, l.well_formed, r.first_line,
                               case when l.well_formed then string_split(l.line, '"') end as _quoted
                        from (
                            select *, coalesce(regexp_matches(line, '{LOG_PATTERN}'), false) as well_formed
                            from _log_lines where not {blank_sql('line')}
                        ) l
                        left join _log_repeated r on r.file_id = l.file_id and r.line = l.line
                    )
                )
            )
        )
        """
    )
    con.execute(
        "create or replace temp table _log_quarantined as "
        "select f.source_file, s.source_line, f.fingerprint, s._column, s._value, s._reason "
        "from _log_staged s join _files f using (file_id) where s._reason is not null"
    )
    # Few distinct clients, user agents, referrers and requested paths: each is hashed or masked once.
    con.execute(
        "create or replace temp table _log_clients as "
        "select ip, hmac_key(ip) as client_key from (select distinct m.ip as ip from _log_staged where _reason is null)"
    )
    con.execute(
        f"""
        create or replace temp table _log_agents as
        select user_agent, {mask_contacts_sql('user_agent')} as user_agent_masked
        from (select distinct nullif(m.user_agent, '-') as user_agent from _log_staged where _reason is null)
        """
    )
    con.execute(
        f"""
        create or replace temp table _log_referrers as
        select referrer, {mask_contacts_in_url_sql('referrer')} as referrer_masked
        from (select distinct nullif(m.referrer, '-') as referrer from _log_staged where _reason is null)
        """
    )
    con.execute(
        f"""
        create or replace temp table _log_targets as
        select target, {mask_contacts_in_url_sql('path_only')} as path_masked
        from (select target, regexp_extract(target, '^([^?#]*)', 1) as path_only
              from (select distinct request.target as target from _log_staged where _reason is null))
        """
    )


def load(con: duckdb.DuckDBPyConnection, files: list[DayFile], loaded_at: dt.datetime) -> pl.DataFrame:
    """In the chunk's transaction: the staged good lines into raw.access_log_hits, the others into raw.quarantine."""
    con.execute(
        """
        insert into raw.access_log_hits
        select hit_local_ts, hit_local_ts::date, host, c.client_key, method, t.path_masked,
               status, bytes, r.referrer_masked, a.user_agent_masked,
               source_file, source_line, fingerprint, ?
        from (
            select f.source_file, s.source_line, f.fingerprint, f.host, s.m.ip as ip, s.request.method as method,
                   s.request.target as target,
                   try_cast(s.m.status as integer) as status, try_cast(nullif(s.m.bytes, '-') as bigint) as bytes,
                   nullif(s.m.referrer, '-') as referrer, nullif(s.m.user_agent, '-') as user_agent,
                   -- local wall-clock time (UTC+7) from the logged time and its offset
                   s.naive_ts - to_minutes((case s.zone.sign when '-' then -1 else 1 end)
                                           * (try_cast(s.zone.hh as integer) * 60 + try_cast(s.zone.mm as integer)))
                              + interval 7 hour as hit_local_ts
            from _log_staged s join _files f using (file_id)
            where s._reason is null
        ) s
        left join _log_clients c on c.ip = s.ip
        left join _log_agents a on a.user_agent is not distinct from s.user_agent
        left join _log_referrers r on r.referrer is not distinct from s.referrer
        left join _log_targets t on t.target is not distinct from s.target
        """,
        [loaded_at],
    )
    insert_quarantine(con, ACCESS_LOG_HITS.source, "_log_quarantined", loaded_at)
    counts = read_and_quarantined(con, "select file_id, count(*) as n from _log_staged group by file_id", "_log_quarantined")
    for table in ("_log_lines", "_log_accepted", "_log_repeated", "_log_staged", "_log_quarantined", "_log_clients",
                  "_log_agents", "_log_referrers", "_log_targets", "_log_rejects", "_log_reject_scans"):
        con.execute(f"drop table if exists {table}")
    return counts


SOURCE = DailySource(
    contract=ACCESS_LOG_HITS,
    patterns=("analytics/access_logs/*/access-*.log", "analytics/access_logs/*/access-*.log.gz"),
    day_pattern=r"^access-(\d{8})\.log",
    stage=stage,
    load=load,
    # A log rotated at midnight can hold the last seconds of the day before: a day here is the day of the file, so
    # re-loading a day deletes the rows of that day's files (whatever their hit_date), not rows by hit_date.
    delete_days_sql="delete from raw.access_log_hits where source_file in (select source_file from _stale_files)",
    needs_key=True,
    accepted_forms="one host's access log of one day in Combined Log Format, UTF-8 text, plain or gzip",
)
