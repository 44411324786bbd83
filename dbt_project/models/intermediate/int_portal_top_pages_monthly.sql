-- The 20 most viewed pages of each month over all sub-sites, per month (the mart kpi_portal_top_pages shows them).
-- Incremental by month: a run recomputes the whole months its analytics days reach (the window widened by one day on
-- each side, as int_portal_pages_daily), so a one-day refresh ranks one month's pages, not 18 months'. Spark:
-- partitioned by month, a run overwrites the months it computes.
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

pages_daily as (

    select * from {{ ref('int_portal_pages_daily') }}
    where {{ month_window('date', first_day, last_day, widen_days=1) }}

),

portal_daily as (

    select * from {{ ref('fct_portal_daily') }}
    where {{ month_window('date', first_day, last_day, widen_days=1) }}

),

-- only the form the KPIs use for each site-day, as in kpi_portal_monthly
preferred_pages as (

    select
        pages_daily.*,
        cast(date_trunc('month', pages_daily.date) as date) as month_start

    from pages_daily
    inner join portal_daily
        on pages_daily.site = portal_daily.site
        and pages_daily.date = portal_daily.date
        and pages_daily.period_end = portal_daily.period_end
        and pages_daily.source_form = portal_daily.source_form
    where portal_daily.is_preferred_source
        -- a multi-day page report ranks only in a month it lies wholly within
        and date_trunc('month', pages_daily.date) = date_trunc('month', pages_daily.period_end)

),

titled as (

    select
        month_start,
        site,
        page_path,
        page_title,
        sum(pageviews) as pageviews

    from preferred_pages
    group by all

),

monthly_pages as (

    select
        month_start,
        site,
        page_path,
        -- a page's title can change within a month: show the one seen most
        {{ arg_max('page_title', 'pageviews') }} as page_title,
        sum(pageviews) as pageviews

    from titled
    group by all

),

ranked as (

    select
        *,
        row_number() over (
            partition by month_start order by pageviews desc, site, page_path
        ) as rank_in_month

    from monthly_pages

),

final as (

    select
        {{ month_label('month_start') }} as month,
        month_start,
        cast(site as {{ string_type() }}) as site,
        cast(page_path as {{ string_type() }}) as page_path,
        cast(page_title as {{ string_type() }}) as page_title,
        cast(pageviews as bigint) as pageviews,
        cast(rank_in_month as integer) as rank_in_month

    from ranked
    where rank_in_month <= 20

)

select {{ one_file_per_partition() }} * from final
