"""GA4 BigQuery export (events_YYYYMMDD as Parquet or NDJSON) -> raw.ga4_events: one row per event, event_params flattened."""
from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from ingestion.contracts import GA4_EVENTS
from ingestion.daily import DailySource, DayFile, files_table, insert_quarantine, per_file_counts, problems_sql, sql_list, sql_literal
from ingestion.pseudonymise import IPV4_PATTERN, IP_MASK, mask_contacts_sql

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


def _flat_columns(record: str, params: str) -> str:
    """Columns every input form provides, from a GA4 record expression (struct or table alias)."""
    return f"""
        {record}event_date::varchar as event_date_raw,
        {record}event_timestamp::bigint as event_timestamp_us,
        {record}event_name::varchar as event_name,
        ga4_param({params}, 'page_location').string_value as page_location,
        ga4_param({params}, 'page_title').string_value as page_title,
        coalesce(ga4_param({params}, 'ga_session_id').int_value,
                 try_cast(ga4_param({params}, 'ga_session_id').string_value as bigint)) as ga_session_id,
        coalesce(ga4_param({params}, 'engagement_time_msec').int_value,
                 try_cast(ga4_param({params}, 'engagement_time_msec').string_value as bigint)) as engagement_time_msec,
        {record}user_pseudo_id::varchar as user_pseudo_id,
        {record}device.category::varchar as device_category,
        {record}geo.city::varchar as geo_city,
        {record}traffic_source.source::varchar as traffic_source,
        {record}traffic_source.medium::varchar as traffic_medium
    """


def _inputs_sql(files: list[DayFile]) -> str:
    parts = []
    parquet = [f.path for f in files if f.path.name.endswith(PARQUET_SUFFIXES)]
    json_files = [f.path for f in files if f.path.name.endswith(JSON_SUFFIXES)]
    if parquet:
        parts.append(
            f"""
            select filename as path, (file_row_number + 1)::integer as source_line, true as json_ok, null::varchar as raw_line,
                   {_flat_columns('', 'event_params')}
            from read_parquet({sql_list(parquet)}, filename = true, file_row_number = true, union_by_name = true)
            """
        )
    if json_files:
        # Read as lines (one DuckDB read for all files, gzip or not) to keep each event's line number; parse with json_transform.
        parts.append(
            f"""
            with lines as (
                select filename as path, line, ordinality - min(ordinality) over (partition by filename) + 1 as line_number
                from read_csv({sql_list(json_files)}, columns = {{'line': 'VARCHAR'}}, header = false, delim = '\x01',
                              quote = '', escape = '', filename = true, compression = 'auto') with ordinality
            ),
            parsed as (
                select path, line_number, line, j_ok as json_ok,
                       case when j_ok then json_transform(line, {sql_literal(JSON_STRUCTURE)}) end as j
                from (select *, case when json_valid(line) then json_type(line) = 'OBJECT' else false end as j_ok from lines)
                where nullif(trim(line), '') is not null
            )
            select path, line_number::integer as source_line, json_ok, line as raw_line,
                   {_flat_columns('j.', 'j.event_params')}
            from parsed
            """
        )
    return " union all by name ".join(f"({p})" for p in parts)


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
    ("event_name", "event_name", "'event_name is empty; it is required'", "json_ok and nullif(trim(event_name), '') is null"),
    ("page_location", "null", "'page_location is empty; a page_view event needs the page''s URL'",
     "event_name = 'page_view' and nullif(trim(page_location), '') is null"),
    ("page_location", "page_location_masked",
     "'page_location ''' || page_location_masked || ''' is not a full URL; expected https://host/path'",
     "nullif(trim(page_location), '') is not null and page_host is null"),
]


def load(con: duckdb.DuckDBPyConnection, files: list[DayFile], loaded_at: dt.datetime) -> pl.DataFrame:
    files_table(con, files)
    con.execute("create or replace temp macro ga4_param(params, k) as list_filter(params, lambda p: p.key = k)[1].value")
    con.execute(
        f"""
        create or replace temp table _ga4_staged as
        with flat as ({_inputs_sql(files)}),
        typed as (
            select f.source_file, f.fingerprint, f.file_day, x.*,
                   try_strptime(x.event_date_raw, '%Y%m%d')::date as event_date,
                   -- Viet Nam keeps UTC+7 all year (no daylight saving since 1975): local time is UTC + 7 hours.
                   make_timestamp(x.event_timestamp_us) + interval 7 hour as event_local_ts,
                   lower(nullif(regexp_extract(x.page_location, '{URL_HOST}', 1), '')) as page_host,
                   {mask_contacts_sql('x.page_location')} as page_location_masked,
                   case when nullif(regexp_extract(x.page_location, '{URL_HOST}', 1), '') is not null
                        then coalesce(nullif(regexp_extract(x.page_location, '{URL_PATH}', 1), ''), '/') end as page_path_raw
            from flat x join _files f on x.path = f.path
        )
        select *, {problems_sql(RULES)} from typed
        """
    )
    counts = per_file_counts(con, "_ga4_staged")
    con.execute(
        f"""
        insert into raw.ga4_events
        select event_date, event_timestamp_us, event_local_ts, event_name, page_location_masked, page_host,
               {mask_contacts_sql('page_path_raw')}, {mask_contacts_sql('page_title')}, ga_session_id, engagement_time_msec,
               user_pseudo_id, device_category, geo_city, traffic_source, traffic_medium,
               source_file, source_line, fingerprint, ?
        from _ga4_staged where _reason is null
        order by source_file, source_line
        """,
        [loaded_at],
    )
    insert_quarantine(con, GA4_EVENTS.source, "_ga4_staged", loaded_at)
    con.execute("drop table _ga4_staged")
    return counts


SOURCE = DailySource(
    contract=GA4_EVENTS,
    patterns=tuple(f"analytics/ga4/events_*{suffix}" for suffix in PARQUET_SUFFIXES + JSON_SUFFIXES),
    day_pattern=r"^events_(\d{8})\.",
    load=load,
    # Re-loading days replaces them: the events of those days (a day's events only come from that day's file).
    delete_days_sql="delete from raw.ga4_events where event_date in (select day from _reload_days)",
)
