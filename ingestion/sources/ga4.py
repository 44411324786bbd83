"""GA4 BigQuery export (events_YYYYMMDD as Parquet or NDJSON) -> raw.ga4_events: one row per event, event_params flattened."""
from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from ingestion.contracts import GA4_EVENTS
from ingestion.daily import (DailySource, DayFile, blank_sql, failed_sql, files_table, insert_quarantine, problems_sql,
                            read_and_quarantined, sql_list, sql_literal)
from ingestion.pseudonymise import IPV4_PATTERN, IP_MASK, mask_contacts_in_url_sql, mask_contacts_sql

PARQUET_SUFFIXES = (".parquet",)
JSON_SUFFIXES = (".ndjson", ".ndjson.gz", ".json", ".json.gz", ".jsonl", ".jsonl.gz")

# The BigQuery export's JSON form writes int64 as strings; json_transform casts them.
JSON_STRUCTURE = (
    '{"event_date": "VARCHAR", "event_timestamp": "BIGINT", "event_name": "VARCHAR", '
    '"event_params": [{"key": "VARCHAR", "value": {"string_value": "VARCHAR", "int_value": "BIGINT", "double_value": "DOUBLE"}}], '
    '"user_pseudo_id": "VARCHAR", "device": {"category": "VARCHAR"}, "geo": {"city": "VARCHAR"}, '
    '"traffic_source": {"name": "VARCHAR", "medium": "VARCHAR", "source": "VARCHAR"}}'
)

URL_HOST = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^/?#@]*@)?([^/:?#]+)"
URL_PATH = r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*([^?#]*)"


# The event parameters the contract keeps: column <- value of the first parameter with that key (`v` is its value struct).
PARAMS = (
    ("page_location", "page_location", "{v}.string_value"),
    ("page_title", "page_title", "{v}.string_value"),
    ("ga_session_id", "ga_session_id", "coalesce({v}.int_value, try_cast({v}.string_value as bigint))"),
    ("engagement_time_msec", "engagement_time_msec", "coalesce({v}.int_value, try_cast({v}.string_value as bigint))"),
)


def _flat_sql(record: str, params: str, source: str, head: str) -> str:
    """One row per event of a GA4 record (a table's columns, or a parsed JSON struct), scalar columns only, the event
    parameters flattened in one pass: the list of keys is built once per event (one lambda) and each kept key found in
    it with list_position (its first occurrence). Nested selects are separate projections in DuckDB: every expression
    below is evaluated once per event."""
    values = ",\n".join(
        f"{expr.format(v=f'_params[list_position(_keys, {sql_literal(key)})].value')} as {column}"
        for key, column, expr in PARAMS
    )
    return f"""
        select * exclude (_params, _keys),
               {values},
               {blank_sql('event_name')} as event_name_blank,
               try_strptime(event_date_raw, '%Y%m%d')::date as event_date,
               -- Viet Nam keeps UTC+7 all year (no daylight saving since 1975): local time is UTC + 7 hours.
               make_timestamp(event_timestamp_us) + interval 7 hour as event_local_ts
        from (
            select {head},
                   {record}event_date::varchar as event_date_raw,
                   {record}event_timestamp::bigint as event_timestamp_us,
                   {record}event_name::varchar as event_name,
                   {params} as _params,
                   list_transform({params}, lambda p: p.key) as _keys,
                   {record}user_pseudo_id::varchar as user_pseudo_id,
                   {record}device.category::varchar as device_category,
                   {record}geo.city::varchar as geo_city,
                   {record}traffic_source.source::varchar as traffic_source,
                   {record}traffic_source.medium::varchar as traffic_medium
            from {source}
        )
    """


def _read_inputs(con: duckdb.DuckDBPyConnection, files: list[DayFile], stage: bool = True) -> str:
    """SQL of one row per event of every file (one read per format), the event parameters extracted in the same pass,
    the file as a small file_id. Parquet is read where the SQL is used (each use reads the files again): an insert from
    the events staged in a temp table inside the chunk's transaction cost 2-3x the CPU of one from a committed table,
    more than reading and flattening the Parquet again (docs/benchmarks.md). JSON lines are staged in _ga4_json (they
    need line numbers) when `stage` (the load step then only builds the same SQL on them)."""
    parts = []
    parquet = [f.path for f in files if f.path.name.endswith(PARQUET_SUFFIXES)]
    json_files = [f.path for f in files if f.path.name.endswith(JSON_SUFFIXES)]
    if parquet:
        parts.append(_flat_sql(
            "", "event_params",
            f"read_parquet({sql_list(parquet)}, filename = true, file_row_number = true, union_by_name = true)",
            "filename as path, (file_row_number + 1)::integer as source_line, true as json_ok, null::varchar as raw_line",
        ))
    if json_files and stage:
        # Read as lines (one DuckDB read for all files, gzip or not) to keep each event's line number; parse with json_transform.
        con.execute(
            f"""
            create or replace temp table _ga4_lines as
            select filename as path, line, (ordinality - min(ordinality) over (partition by filename) + 1)::integer as source_line
            from read_csv({sql_list(json_files)}, columns = {{'line': 'VARCHAR'}}, header = false, delim = '\x01',
                          quote = '', escape = '', filename = true, compression = 'auto') with ordinality
            """
        )
        # The line itself is kept only where it is not a JSON object (the rule quarantining it shows its start).
        con.execute(
            f"""
            create or replace temp table _ga4_json as
            select path, source_line, j_ok as json_ok, case when not j_ok then line end as raw_line,
                   case when j_ok then json_transform(line, {sql_literal(JSON_STRUCTURE)}) end as j
            from (select *, case when json_valid(line) then json_type(line) = 'OBJECT' else false end as j_ok from _ga4_lines)
            where not {blank_sql('line')}
            """
        )
        con.execute("drop table if exists _ga4_lines")
    if json_files:
        parts.append(_flat_sql("j.", "j.event_params", "_ga4_json", "path, source_line, json_ok, raw_line"))
    inputs = " union all by name ".join(f"({p})" for p in parts)
    return f"select f.file_id, x.* exclude (path) from ({inputs}) x join _files f on f.path = x.path"


# Columns computed once for the rules: event_name_blank is nullif(trim(event_name), '') is null (in the flattened events),
# page_blank the same of page_location (once per distinct URL, in _ga4_pages); see blank_sql.
RULES = [
    ("(whole row)", f"regexp_replace(left(raw_line, 200), '{IPV4_PATTERN}', '{IP_MASK}', 'g')",
     "'the line is not a JSON object (one event per line is expected)'", "not json_ok"),
    ("event_date", "event_date_raw", "'event_date is empty; it is required'", "json_ok and event_date_raw is null"),
    ("event_date", "event_date_raw", "'event_date ''' || event_date_raw || ''' is not a valid date; expected yyyymmdd'",
     "event_date_raw is not null and event_date is null"),
    ("event_date", "event_date_raw",
     "'event_date ''' || event_date_raw || ''' is not the day of the file (' || strftime(file_day, '%Y%m%d') || "
     "'); a day''s events belong in that day''s file'",
     "event_date is not null and event_date <> file_day"),
    ("event_timestamp", "null", "'event_timestamp is empty or not a whole number; expected microseconds since 1970-01-01 UTC'",
     "json_ok and event_timestamp_us is null"),
    ("event_name", "event_name", "'event_name is empty; it is required'", "json_ok and event_name_blank"),
    ("page_location", "null", "'page_location is empty; a page_view event needs the page''s URL'",
     "event_name = 'page_view' and page_blank"),
    ("page_location", "page_location_masked",
     "'page_location ''' || page_location_masked || ''' is not a full URL; expected https://host/path'",
     "not page_blank and page_host is null"),
]


# Every event with its file, and its page and title parsed, as the rules and raw.ga4_events see it (`events`: SQL of
# the flattened events, or of the suspects below).
def _checked_sql(events: str) -> str:
    return f"""
        select f.source_file, f.fingerprint, f.file_day, x.*, p.page_blank, p.page_host, p.page_location_masked,
               p.page_path, t.page_title_masked
        from ({events}) x
        join _files f using (file_id)
        left join _ga4_pages p on p.page_location is not distinct from x.page_location
        left join _ga4_titles t on t.page_title is not distinct from x.page_title
    """


# The rules on the page need its parsed form (_ga4_pages); the others only the event's own columns.
PAGE_RULES = [rule for rule in RULES if "page_" in rule[3]]
EVENT_RULES = [rule for rule in RULES if rule not in PAGE_RULES]


def stage(con: duckdb.DuckDBPyConnection, files: list[DayFile]) -> None:
    """Before the chunk's transaction: the files, the first read of the events, their pages and titles, the quarantine."""
    files_table(con, files)
    events = _read_inputs(con, files)
    # First read of the events: per file, page and title, the number of events and the line numbers of the events
    # breaking a rule on their own columns (few). It gives the distinct pages and titles, the rows read per file and the
    # suspects; the second read inserts the good events straight into raw.ga4_events. Only the columns these need are
    # read and flattened: keeping the suspects' whole rows here (`list(x)`) made DuckDB build every column of every
    # event, and testing each event's URL here ran a regular expression per event instead of per page (34 % of this read).
    con.execute(
        f"""
        create or replace temp table _ga4_seen as
        select x.file_id, x.page_location, x.page_title, count(*) as n,
               list(x.source_line) filter (where {failed_sql(EVENT_RULES)}) as suspect_lines
        from ({events}) x join _files f using (file_id)
        group by x.file_id, x.page_location, x.page_title
        """
    )
    # A site has far fewer pages than events: URLs and titles are parsed and masked once per distinct value.
    path_sql = f"coalesce(nullif(regexp_extract(page_location, '{URL_PATH}', 1), ''), '/')"
    con.execute(
        f"""
        create or replace temp table _ga4_pages as
        select page_location, {blank_sql('page_location')} as page_blank, page_host,
               {mask_contacts_in_url_sql('page_location')} as page_location_masked,
               case when page_host is not null then {mask_contacts_in_url_sql(path_sql)} end as page_path
        from (
            select page_location, lower(nullif(regexp_extract(page_location, '{URL_HOST}', 1), '')) as page_host
            from (select distinct page_location from _ga4_seen)
        )
        """
    )
    con.execute(
        f"""
        create or replace temp table _ga4_titles as
        select page_title, {mask_contacts_sql('page_title')} as page_title_masked
        from (select distinct page_title from _ga4_seen)
        """
    )
    # The suspects: the events above, and every event without a page or whose page is not a full URL (a blank
    # page_location has no host either). Every event breaking a rule is among them; the rules are then applied to them in
    # full. Their whole rows come from a read of only the files that have any (none, in a clean export).
    con.execute(
        """
        create or replace temp table _ga4_suspects as
        select s.file_id, unnest(s.suspect_lines) as source_line, null::varchar as page_location, false as whole_page
        from _ga4_seen s where len(s.suspect_lines) > 0
        union all
        select s.file_id, null, s.page_location, true
        from _ga4_seen s left join _ga4_pages p on p.page_location is not distinct from s.page_location
        where p.page_host is null
        """
    )
    suspect_files = [files[file_id] for (file_id,) in
                     con.execute("select distinct file_id from _ga4_suspects order by 1").fetchall()]
    quarantined_sql = "select null::varchar as source_file, null::integer as source_line, null::varchar as fingerprint, " \
                      "null::varchar as _column, null::varchar as _value, null::varchar as _reason where false"
    if suspect_files:
        suspects = f"""
            select x.* from ({_read_inputs(con, suspect_files, stage=False)}) x
            where exists (select 1 from _ga4_suspects s where s.file_id = x.file_id and (
                      (not s.whole_page and s.source_line = x.source_line)
                      or (s.whole_page and s.page_location is not distinct from x.page_location)))
        """
        quarantined_sql = f"""
            select source_file, source_line, fingerprint, _column, _value, _reason
            from (select *, {problems_sql(RULES)} from ({_checked_sql(suspects)}) where {failed_sql(RULES)})
        """
    con.execute(f"create or replace temp table _ga4_quarantined as {quarantined_sql}")


def load(con: duckdb.DuckDBPyConnection, files: list[DayFile], loaded_at: dt.datetime) -> pl.DataFrame:
    """In the chunk's transaction: the second read of the events inserts the good ones straight into raw.ga4_events."""
    events = _read_inputs(con, files, stage=False)
    con.execute(
        f"""
        insert into raw.ga4_events
        select event_date, event_timestamp_us, event_local_ts, event_name, page_location_masked, page_host,
               page_path, page_title_masked, ga_session_id, engagement_time_msec,
               user_pseudo_id, device_category, geo_city, traffic_source, traffic_medium,
               source_file, source_line, fingerprint, ?
        from ({_checked_sql(events)}) where not ({failed_sql(RULES)})
        """,
        [loaded_at],
    )
    insert_quarantine(con, GA4_EVENTS.source, "_ga4_quarantined", loaded_at)
    counts = read_and_quarantined(con, "select file_id, sum(n) as n from _ga4_seen group by file_id", "_ga4_quarantined")
    for table in ("_ga4_seen", "_ga4_json", "_ga4_pages", "_ga4_titles", "_ga4_suspects", "_ga4_quarantined"):
        con.execute(f"drop table if exists {table}")
    return counts


SOURCE = DailySource(
    contract=GA4_EVENTS,
    patterns=tuple(f"analytics/ga4/events_*{suffix}" for suffix in PARQUET_SUFFIXES + JSON_SUFFIXES),
    day_pattern=r"^events_(\d{8})\.",
    stage=stage,
    load=load,
    # Re-loading days replaces them: the events of those days (a day's events only come from that day's file).
    delete_days_sql="delete from raw.ga4_events where event_date in (select day from _reload_days)",
    accepted_forms="the GA4 BigQuery export of one day, as Parquet or as NDJSON (one JSON event per line, UTF-8, plain or gzip)",
    # Parquet is read where the SQL uses it (_read_inputs), never staged; JSON lines are staged (_ga4_json).
    streamed_suffixes=PARQUET_SUFFIXES,
)
