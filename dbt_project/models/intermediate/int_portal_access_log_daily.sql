-- Access-log traffic per sub-site and day. A log has no session or engagement: sessions = users, engagement unknown.
-- Incremental like int_portal_ga4_daily: a run replaces the days of its window [min_date, max_date] widened by one day
-- on each side (a day's log, rotated at midnight, can hold hits of the day before or after), so a one-day refresh reads
-- three days of hits, not the whole history. Spark: partitioned by day, a run overwrites the days it computes.
{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
        unique_key=['hit_date'],
        partition_by=(['hit_date'] if target.type == 'spark' else none),
        on_schema_change='fail'
    )
}}
{%- set first_day, last_day = analytics_days() %}

with

access_log_hits as (

    select * from {{ ref('stg_access_log__hits') }}
    where {{ day_window('hit_date', first_day, last_day, widen_days=1) }}

),

final as (

    select
        host as site,
        hit_date,
        count(*) filter (where is_page_view) as pageviews,
        count(distinct client_key) filter (where is_page_view) as users,
        -- one visitor (hashed IP) a day stands in for one session
        count(distinct client_key) filter (where is_page_view) as sessions,
        cast(null as double) as engagement_seconds

    from access_log_hits
    group by host, hit_date

)

select {{ one_file_per_partition() }} * from final
