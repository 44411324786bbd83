-- Monthly portal traffic per sub-site and for all sites together (site NULL), with the change on the previous month.
-- users and sessions are sums of daily figures (user-days), the only figures all three forms give.
with

portal_daily as (

    select * from {{ ref('fct_portal_daily') }}

),

preferred_days as (

    select
        *,
        cast(date_trunc('month', date) as date) as month_start

    from portal_daily
    where is_preferred_source

),

monthly as (

    select
        month_start,
        site,
        -- a host maps to at most one unit, so max() only carries it through the grouping
        max(unit_code) as unit_code,
        sum(pageviews) as pageviews,
        sum(users) as users,
        sum(sessions) as sessions,
        -- summed as exact decimals (the daily figures have 3 decimals): a sum of doubles depends on the order of the rows,
        -- which differs between engines and runs, and can fall either side of a rounding boundary (118.65 -> 118.6 or 118.7)
        sum(cast(engagement_seconds as decimal(38, 3))) as engagement_seconds,
        grouping(site) = 1 as is_all_sites

    from preferred_days
    group by grouping sets ((month_start, site), (month_start))

),

with_previous as (

    select
        monthly.*,
        previous_month.pageviews as pageviews_prev_month

    from monthly
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
        cast(sessions as bigint) as sessions,
        cast(round(engagement_seconds, 1) as double) as engagement_seconds,
        cast(pageviews_prev_month as bigint) as pageviews_prev_month,
        {{ pct('pageviews - pageviews_prev_month', 'pageviews_prev_month') }} as pageviews_change_pct

    from with_previous

)

select * from final
