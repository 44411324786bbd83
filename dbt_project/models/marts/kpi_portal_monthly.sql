-- Monthly portal traffic per sub-site and for all sites together (site NULL), with the change on the previous month.
-- users = distinct users of the month, counted from the day-level visitor sets (GA4 user_pseudo_id, the access log's
-- visitor hash) when every preferred day of the month comes from one of those two forms; a page report gives only
-- per-page user counts, so a month containing page-report days has users NULL. user_days (the sum of the daily users)
-- is always there. The month's distinct users are counted by int_portal_monthly_visitors (incremental by month).
with

portal_daily as (

    select * from {{ ref('fct_portal_daily') }}

),

monthly_visitors as (

    select * from {{ ref('int_portal_monthly_visitors') }}

),

preferred_days as (

    select
        *,
        cast(date_trunc('month', date) as date) as month_start

    from portal_daily
    where is_preferred_source
        -- a multi-day row counts in a month only if it lies wholly within it (daily rows always do)
        and date_trunc('month', date) = date_trunc('month', period_end)

),

monthly as (

    select
        month_start,
        site,
        -- a host maps to at most one unit, so max() only carries it through the grouping
        max(unit_code) as unit_code,
        sum(pageviews) as pageviews,
        sum(users) as user_days,
        sum(sessions) as sessions,
        -- exact: the daily figures have 3 decimals, and a sum of doubles in another order can round the other way at .x5
        sum(cast(engagement_seconds as decimal(18, 3))) as engagement_seconds,
        -- distinct users are countable when the month's days all come from one visitor-identifying form: a GA4 id and
        -- an access-log hash of the same person are different keys, and a page report names no visitor at all
        count(distinct source_form) = 1
            and bool_and(source_form in ('ga4', 'access_log')) as users_are_countable,
        grouping(site) = 1 as is_all_sites

    from preferred_days
    group by grouping sets ((month_start, site), (month_start))

),

with_previous as (

    select
        monthly.*,
        case when monthly.users_are_countable then coalesce(monthly_visitors.distinct_users, 0) end as users,
        previous_month.pageviews as pageviews_prev_month

    from monthly
    left join monthly_visitors
        on monthly_visitors.month_start = monthly.month_start
        and monthly_visitors.is_all_sites = monthly.is_all_sites
        and monthly_visitors.site is not distinct from monthly.site
    left join monthly as previous_month
        on previous_month.month_start = cast({{ add_months('monthly.month_start', -1) }} as date)
        and previous_month.is_all_sites = monthly.is_all_sites
        and previous_month.site is not distinct from monthly.site

),

final as (

    select
        {{ month_label('month_start') }} as month,
        month_start,
        cast(site as {{ string_type() }}) as site,
        cast(case when is_all_sites then null else unit_code end as {{ string_type() }}) as unit_code,
        cast(pageviews as bigint) as pageviews,
        cast(users as bigint) as users,
        cast(user_days as bigint) as user_days,
        cast(sessions as bigint) as sessions,
        cast(round(engagement_seconds, 1) as double) as engagement_seconds,
        cast(pageviews_prev_month as bigint) as pageviews_prev_month,
        {{ pct('pageviews - pageviews_prev_month', 'pageviews_prev_month') }} as pageviews_change_pct

    from with_previous

)

select * from final
