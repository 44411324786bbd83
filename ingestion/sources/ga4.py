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
    """Columns every input form provides, from a GA4 record (a table's columns, or a parsed JSON struct)."""
    return f"""
        {record}event_date::varchar as event_date_raw,
        {record}event_timestamp::bigint as event_timestamp_us,
        {record}event_name::varchar as event_name,
        ga4_param({params}, 'page_location') as p_location,
        ga4_param({params}, 'page_title') as p_title,
        ga4_param({params}, 'ga_session_id') as p_session,
        ga4_param({params}, 'engagement_time_msec') as p_engagement,
        {record}user_pseudo_id::varchar as user_pseudo_id,
        {record}device.category::varchar as device_category,
        {record}geo.city::varchar as geo_city,
        {record}traffic_source.source::varchar as traffic_source,
        {record}traffic_source.medium::varchar as traffic_medium
    """


def _read_inputs(con: duckdb.DuckDBPyConnection, files: list[DayFile]) -> None:
    """Temp table _ga4_flat: one row per event of every file (one read per format), params looked up once per row."""
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
        con.execute(
            f"""
            create or replace temp table _ga4_lines as
            select filename as path, line, (ordinality - min(ordinality) over (partition by filename) + 1)::integer as source_line
            from read_csv({sql_list(json_files)}, columns = {{'line': 'VARCHAR'}}, header = false, delim = '',
                          quote = '', escape = '', filename = true, compression = 'auto') with ordinality
            """
        )
        con.execute(
            f"""
            create or replace temp table _ga4_json as
            select path, source_line, line, j_ok as json_ok,
                   case when j_ok then json_transform(line, {sql_literal(JSON_STRUCTURE)}) end as j
            from (select *, case when json_valid(line) then json_type(line) = 'OBJECT' else false end as j_ok from _ga4_lines)
            where nullif(trim(line), '') is not null
            """
        )
        parts.append(
            f"select path, source_line, json_ok, line as raw_line, {_flat_columns('j.', 'j.event_params')} from _ga4_json"
        )
    inputs = " union all by name ".join(f"({p})" for p in parts)
    con.execute(f"create or replace temp table _ga4_flat as {inputs}")


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
    _read_inputs(con, files)
    # A site has far fewer pages than events: URLs and titles are parsed and masked once per distinct value.
    path_sql = f"coalesce(nullif(regexp_extract(page_location, '{URL_PATH}', 1), ''), '/')"
    con.execute(
        f"""
        create or replace temp table _ga4_pages as
        select page_location, page_host, {mask_contacts_sql('page_location')} as page_location_masked,
               case when page_host is not null then {mask_contacts_sql(path_sql)} end as page_path
        from (
            select page_location, lower(nullif(regexp_extract(page_location, '{URL_HOST}', 1), '')) as page_host
            from (select distinct p_location.string_value as page_location from _ga4_flat)
        )
        """
    )
    con.execute(
        f"""
        create or replace temp table _ga4_titles as
        select page_title, {mask_contacts_sql('page_title')} as page_title_masked
        from (select distinct p_title.string_value as page_title from _ga4_flat)
        """
    )
    # One statement from the materialised inputs to the checked rows: every intermediate copy of 20 columns costs.
    con.execute(
        f"""
        create or replace temp table _ga4_staged as
        select * exclude (_problems) from (
            select *, {problems_sql(RULES)}
            from (
                select f.source_file, f.fingerprint, f.file_day, x.source_line, x.json_ok, x.raw_line,
                       x.event_date_raw, x.event_timestamp_us, x.event_name, x.user_pseudo_id, x.device_category,
                       x.geo_city, x.traffic_source, x.traffic_medium,
                       x.p_location.string_value as page_location,
                       coalesce(x.p_session.int_value, try_cast(x.p_session.string_value as bigint)) as ga_session_id,
                       coalesce(x.p_engagement.int_value, try_cast(x.p_engagement.string_value as bigint))
                           as engagement_time_msec,
                       try_strptime(x.event_date_raw, '%Y%m%d')::date as event_date,
                       -- Viet Nam keeps UTC+7 all year (no daylight saving since 1975): local time is UTC + 7 hours.
                       make_timestamp(x.event_timestamp_us) + interval 7 hour as event_local_ts,
                       p.page_host, p.page_location_masked, p.page_path, t.page_title_masked
                from _ga4_flat x
                join _files f on x.path = f.path
                left join _ga4_pages p on p.page_location is not distinct from x.p_location.string_value
                left join _ga4_titles t on t.page_title is not distinct from x.p_title.string_value
            )
        )
        """
    )
    counts = per_file_counts(con, "_ga4_staged")
    con.execute(
        """
        insert into raw.ga4_events
        select event_date, event_timestamp_us, event_local_ts, event_name, page_location_masked, page_host,
               page_path, page_title_masked, ga_session_id, engagement_time_msec,
               user_pseudo_id, device_category, geo_city, traffic_source, traffic_medium,
               source_file, source_line, fingerprint, ?
        from _ga4_staged where _reason is null
        """,
        [loaded_at],
    )
    insert_quarantine(con, GA4_EVENTS.source, "_ga4_staged", loaded_at)
    for table in ("_ga4_lines", "_ga4_json", "_ga4_flat", "_ga4_pages", "_ga4_titles", "_ga4_staged"):
        con.execute(f"drop table if exists {table}")
    return counts


SOURCE = DailySource(
    contract=GA4_EVENTS,
    patterns=tuple(f"analytics/ga4/events_*{suffix}" for suffix in PARQUET_SUFFIXES + JSON_SUFFIXES),
    day_pattern=r"^events_(\d{8})\.",
    load=load,
    # Re-loading days replaces them: the events of those days (a day's events only come from that day's file).
    delete_days_sql="delete from raw.ga4_events where event_date in (select day from _reload_days)",
    accepted_forms="the GA4 BigQuery export of one day, as Parquet or as NDJSON (one JSON event per line, UTF-8, plain or gzip)",
)
