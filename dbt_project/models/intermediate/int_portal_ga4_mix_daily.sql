-- GA4 page views per day, device category and channel (traffic source / medium): what kpi_portal_mix sums per month.
-- Incremental like int_portal_ga4_daily: a run replaces the days of its window [min_date, max_date], so a one-day refresh
-- reads one day of events. Spark: partitioned by day, a run overwrites the days it computes.
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
    where {{ day_window('event_date', first_day, last_day) }}

),

final as (

    select
        event_date,
        coalesce(device_category, '(not set)') as device,
        coalesce(traffic_source, '(direct)') || ' / ' || coalesce(traffic_medium, '(none)') as channel,
        count(*) as pageviews

    from ga4_events
    where event_name = 'page_view'
    group by event_date, coalesce(device_category, '(not set)'),
        coalesce(traffic_source, '(direct)') || ' / ' || coalesce(traffic_medium, '(none)')

)

select {{ one_file_per_partition() }} * from final
