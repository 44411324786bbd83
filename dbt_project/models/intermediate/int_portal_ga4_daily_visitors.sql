-- The distinct GA4 users (user_pseudo_id) of each sub-site and day: the set from which a month's distinct users are
-- counted (a month's users are not the sum of its days' users). Incremental like int_portal_ga4_daily: a run replaces
-- the days of its window [min_date, max_date], so a one-day refresh does not rescan the other days' events.
-- Spark has no delete+insert: there the table is partitioned by day and a run overwrites the days it computes.
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

final as (

    select distinct
        page_host as site,
        event_date,
        user_pseudo_id

    from ga4_events
    where {{ day_window('event_date', first_day, last_day) }}
        -- the same events as int_portal_ga4_daily.users counts
        and page_host is not null
        and user_pseudo_id is not null

)

select {{ one_file_per_partition() }} * from final
