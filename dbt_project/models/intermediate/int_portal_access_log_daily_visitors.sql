-- The visitors (hashed client IPs) who viewed a page of each sub-site on each day: the set from which a month's distinct
-- access-log users are counted (kpi_portal_monthly), as int_portal_ga4_daily_visitors is for GA4. Incremental like
-- int_portal_access_log_daily (the window widened by one day on each side).
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

    -- the page views int_portal_access_log_daily.users counts (a hit without client_key counts nobody there either)
    select distinct
        host as site,
        hit_date,
        client_key

    from access_log_hits
    where is_page_view

)

select {{ one_file_per_partition() }} * from final
