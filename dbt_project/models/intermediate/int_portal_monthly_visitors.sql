-- Distinct visitors of each month per sub-site and for all sites together (site NULL), counted from the day-level
-- visitor sets (GA4 user_pseudo_id, the access log's visitor hash) of the days whose preferred form is one of those two
-- (a page report names no visitor). kpi_portal_monthly shows them where a month's days all come from one such form.
-- Incremental by month: a run recomputes the whole months its analytics days reach (the window widened by one day on
-- each side, as the daily models), so a one-day refresh counts one month's visitors, not 18 months'. Spark: partitioned
-- by month, a run overwrites the months it computes.
{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
        unique_key=['month_start'],
        partition_by=(['month_start'] if target.type == 'spark' else none),
        on_schema_change='fail'
    )
}}
{%- set first_day, last_day = analytics_days() %}

with

portal_daily as (

    select * from {{ ref('fct_portal_daily') }}
    where {{ month_window('date', first_day, last_day, widen_days=1) }}

),

ga4_visitors as (

    select * from {{ ref('int_portal_ga4_daily_visitors') }}
    where {{ month_window('event_date', first_day, last_day, widen_days=1) }}

),

access_log_visitors as (

    select * from {{ ref('int_portal_access_log_daily_visitors') }}
    where {{ month_window('hit_date', first_day, last_day, widen_days=1) }}

),

-- the days whose preferred form identifies visitors (daily rows: a page report's multi-day row names nobody)
preferred_days as (

    select
        site,
        date,
        source_form,
        cast(date_trunc('month', date) as date) as month_start

    from portal_daily
    where is_preferred_source
        and source_form in ('ga4', 'access_log')

),

-- who visited each site on each day, in the two forms that identify a visitor (the users the daily rows count)
day_visitors as (

    select site, event_date as date, 'ga4' as source_form, user_pseudo_id as visitor_key
    from ga4_visitors

    union all

    select site, hit_date, 'access_log', client_key
    from access_log_visitors

),

preferred_visitors as (

    select
        preferred_days.month_start,
        preferred_days.site,
        day_visitors.visitor_key

    from preferred_days
    inner join day_visitors
        on preferred_days.site = day_visitors.site
        and preferred_days.date = day_visitors.date
        and preferred_days.source_form = day_visitors.source_form

),

final as (

    select
        month_start,
        site,
        grouping(site) = 1 as is_all_sites,
        count(distinct visitor_key) as distinct_users

    from preferred_visitors
    group by grouping sets ((month_start, site), (month_start))

)

select {{ one_file_per_partition() }} * from final
