-- Daily traffic per sub-site from the three analytics forms, one row per (site, date, period_end, source_form).
-- Rows are daily (period_days = 1) except page reports over several days, kept whole (date = first day, period_end =
-- last). When a site-day is measured by more than one form, is_preferred_source marks the one the KPIs use (ga4, then
-- page_report, then access_log), so the monthly figures never count a day twice; a multi-day row is preferred only
-- when no daily row and no earlier multi-day row of its site covers any of its days.
with

ga4_daily as (

    select * from {{ ref('int_portal_ga4_daily') }}

),

access_log_daily as (

    select * from {{ ref('int_portal_access_log_daily') }}

),

page_report_daily as (

    select * from {{ ref('int_portal_page_report_daily') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

unioned as (

    select
        site, event_date as date, event_date as period_end, 1 as period_days, pageviews, users, sessions,
        engagement_seconds, 'ga4' as source_form, 1 as preference
    from ga4_daily

    union all

    select
        site, report_date as date, period_end, period_days, pageviews, users, sessions, engagement_seconds,
        'page_report', 2
    from page_report_daily

    union all

    select site, hit_date as date, hit_date, 1, pageviews, users, sessions, engagement_seconds, 'access_log', 3
    from access_log_daily

),

daily_rows as (

    select
        *,
        row_number() over (partition by site, date order by preference) = 1 as is_preferred_source

    from unioned
    where period_days = 1

),

multi_day_rows as (

    select * from unioned
    where period_days > 1

),

-- Finer grain wins: a period is set aside when a daily row of its site falls in it, or an earlier (then longer) period
-- of its site overlaps it; so no day is counted twice. Joins rather than correlated NOT EXISTS over the same CTE, which
-- Spark's analyser cannot plan ("key not found: site").
set_aside as (

    select multi_day_rows.site, multi_day_rows.date, multi_day_rows.period_end, multi_day_rows.source_form
    from multi_day_rows
    inner join daily_rows
        on daily_rows.site = multi_day_rows.site
        and daily_rows.date between multi_day_rows.date and multi_day_rows.period_end

    union

    select multi_day_rows.site, multi_day_rows.date, multi_day_rows.period_end, multi_day_rows.source_form
    from multi_day_rows
    inner join multi_day_rows as other
        on other.site = multi_day_rows.site
        and other.date <= multi_day_rows.period_end
        and other.period_end >= multi_day_rows.date
        -- (date, -period_days, preference) of the other period comes first
        and (
            other.date < multi_day_rows.date
            or (other.date = multi_day_rows.date and other.period_days > multi_day_rows.period_days)
            or (other.date = multi_day_rows.date and other.period_days = multi_day_rows.period_days
                and other.preference < multi_day_rows.preference)
        )

),

multi_day_preferred as (

    select
        multi_day_rows.*,
        set_aside.site is null as is_preferred_source

    from multi_day_rows
    left join set_aside
        on set_aside.site = multi_day_rows.site
        and set_aside.date = multi_day_rows.date
        and set_aside.period_end = multi_day_rows.period_end
        and set_aside.source_form = multi_day_rows.source_form

),

graded as (

    select * from daily_rows
    union all
    select * from multi_day_preferred

),

-- a host should belong to one unit; if the registry ever gives it to two, the first code wins rather than doubling rows
unit_by_host as (

    select
        site_host,
        min(unit_code) as unit_code

    from units
    where site_host is not null
    group by site_host

),

final as (

    select
        cast(graded.site as {{ string_type() }}) as site,
        cast(unit_by_host.unit_code as {{ string_type() }}) as unit_code,
        cast(graded.date as date) as date,
        cast(graded.period_end as date) as period_end,
        cast(graded.period_days as integer) as period_days,
        cast(graded.pageviews as bigint) as pageviews,
        cast(graded.users as bigint) as users,
        cast(graded.sessions as bigint) as sessions,
        cast(round(graded.engagement_seconds, 3) as double) as engagement_seconds,
        cast(graded.source_form as {{ string_type() }}) as source_form,
        graded.is_preferred_source

    from graded
    left join unit_by_host
        on graded.site = unit_by_host.site_host

)

select * from final
