-- Page-report traffic per sub-site and period: the sum of the period's page rows. Most reports are daily (period_days
-- = 1, report_date the day); a report over several days stays one row for its whole period (report_date = its first
-- day, period_end its last): its totals are never spread over, or stamped on, single days.
with

page_report_rows as (

    select * from {{ ref('stg_page_report__rows') }}

),

final as (

    select
        host as site,
        period_start as report_date,
        period_end,
        period_days,
        coalesce(sum(pageviews), 0) as pageviews,
        coalesce(sum(users), 0) as users,
        coalesce(sum(sessions), 0) as sessions,
        sum(engagement_seconds) as engagement_seconds

    from page_report_rows
    group by host, period_start, period_end, period_days

)

select * from final
