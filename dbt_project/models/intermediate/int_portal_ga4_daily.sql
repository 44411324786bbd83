-- GA4 events summed per sub-site and day. Incremental: a run rebuilds the days of its window
-- [var min_date, var max_date] (Dagster passes the partition window; a re-delivered day file replaces the day).
-- unique_key is the day alone: the whole day is replaced, so a site missing from a re-delivered day loses its stale row.
-- Spark has no delete+insert: there the table is partitioned by day and a run overwrites the days it computes (the same
-- rows as deleting and inserting those days).
{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
        unique_key=['event_date'],
        partition_by=(['event_date'] if target.type == 'spark' else none),
        on_schema_change='fail'
    )
}}
{%- set first_day, last_day = analytics_days() %}

with

ga4_events as (

    select * from {{ ref('stg_ga4__events') }}

),

window_events as (

    select *
    from ga4_events
    -- The window: Dagster sets EDUKPI_MIN_DATE/EDUKPI_MAX_DATE (read when dbt executes, see macro analytics_days; a
    -- change of --vars makes dbt re-parse the whole project); --vars min_date/max_date still work from the dbt CLI.
    where {{ day_window('event_date', first_day, last_day) }}
        -- an event without a page has no site to count it for
        and page_host is not null

),

final as (

    select
        page_host as site,
        event_date,
        count(*) filter (where event_name = 'page_view') as pageviews,
        count(distinct user_pseudo_id) as users,
        {{ count_distinct_pair('user_pseudo_id', 'ga_session_id') }} filter (where ga_session_id is not null) as sessions,
        cast(coalesce(sum(engagement_time_msec), 0) as double) / 1000.0 as engagement_seconds

    from window_events
    group by page_host, event_date

)

select {{ one_file_per_partition() }} * from final
