-- Daily traffic per sub-site from the three analytics forms, one row per (site, date, source_form).
-- When a site-day is measured by more than one form, is_preferred_source marks the one the KPIs use
-- (ga4, then page_report, then access_log), so the monthly figures never count a day twice.
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

    select site, event_date as date, pageviews, users, sessions, engagement_seconds, 'ga4' as source_form, 1 as preference
    from ga4_daily

    union all

    select site, report_date as date, pageviews, users, sessions, engagement_seconds, 'page_report', 2
    from page_report_daily

    union all

    select site, hit_date as date, pageviews, users, sessions, engagement_seconds, 'access_log', 3
    from access_log_daily

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
        cast(unioned.site as {{ string_type() }}) as site,
        cast(unit_by_host.unit_code as {{ string_type() }}) as unit_code,
        cast(unioned.date as date) as date,
        cast(unioned.pageviews as bigint) as pageviews,
        cast(unioned.users as bigint) as users,
        cast(unioned.sessions as bigint) as sessions,
        cast(round(unioned.engagement_seconds, 3) as double) as engagement_seconds,
        cast(unioned.source_form as {{ string_type() }}) as source_form,
        row_number() over (
            partition by unioned.site, unioned.date order by unioned.preference
        ) = 1 as is_preferred_source

    from unioned
    left join unit_by_host
        on unioned.site = unit_by_host.site_host

)

select * from final
