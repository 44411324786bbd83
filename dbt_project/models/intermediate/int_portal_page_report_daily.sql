-- Page-report traffic per sub-site and day: the sum of the day's page rows.
with

page_report_rows as (

    select * from {{ ref('stg_page_report__rows') }}

),

final as (

    select
        host as site,
        report_date,
        coalesce(sum(pageviews), 0) as pageviews,
        coalesce(sum(users), 0) as users,
        coalesce(sum(sessions), 0) as sessions,
        sum(engagement_seconds) as engagement_seconds

    from page_report_rows
    group by host, report_date

)

select * from final
