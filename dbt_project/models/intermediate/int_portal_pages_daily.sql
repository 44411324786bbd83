-- Page views per sub-site, page and day from each of the three analytics forms (for the top-pages ranking).
-- Paths lose their query string and fragment, so /?utm=x and / are the same page. Each row has its grain: date is the
-- day (period_days = 1) or, for a page report over several days, the first day of its period (period_end the last).
-- Incremental like int_portal_access_log_daily: a run replaces the dates of its window [min_date, max_date] widened by one
-- day on each side, all three forms alike (the rows of a date are deleted and recomputed together), so a one-day refresh
-- reads three days of events and hits. Spark: partitioned by date, a run overwrites the dates it computes.
{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
        unique_key=['date'],
        partition_by=(['date'] if target.type == 'spark' else none),
        on_schema_change='fail'
    )
}}
{%- set first_day, last_day = analytics_days() %}

with

ga4_events as (

    select * from {{ ref('stg_ga4__events') }}
    where {{ day_window('event_date', first_day, last_day, widen_days=1) }}

),

access_log_hits as (

    select * from {{ ref('stg_access_log__hits') }}
    where {{ day_window('hit_date', first_day, last_day, widen_days=1) }}

),

page_report_rows as (

    select * from {{ ref('stg_page_report__rows') }}
    where {{ day_window('period_start', first_day, last_day, widen_days=1) }}

),

ga4_pages as (

    select
        page_host as site,
        event_date as date,
        coalesce(nullif(regexp_replace(page_path, '[?#].*$', ''), ''), '/') as page_path,
        page_title,
        count(*) as pageviews,
        'ga4' as source_form,
        event_date as period_end,
        1 as period_days

    from ga4_events
    where event_name = 'page_view'
        and page_host is not null
    group by all

),

access_log_pages as (

    select
        host as site,
        hit_date as date,
        coalesce(nullif(regexp_replace(request_path, '[?#].*$', ''), ''), '/') as page_path,
        cast(null as {{ string_type() }}) as page_title,
        count(*) as pageviews,
        'access_log' as source_form,
        hit_date as period_end,
        1 as period_days

    from access_log_hits
    where is_page_view
    group by all

),

page_report_pages as (

    select
        host as site,
        period_start as date,
        coalesce(nullif(regexp_replace(page_path, '[?#].*$', ''), ''), '/') as page_path,
        page_title,
        coalesce(sum(pageviews), 0) as pageviews,
        'page_report' as source_form,
        period_end,
        period_days

    from page_report_rows
    group by all

),

final as (

    select * from ga4_pages
    union all
    select * from access_log_pages
    union all
    select * from page_report_pages

)

select {{ one_file_per_partition() }} * from final
