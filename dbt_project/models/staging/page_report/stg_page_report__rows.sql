-- Page report rows, renamed and typed, each with its grain: one day (period_days = 1, report_date set) or a period of
-- several days kept whole (report_date NULL: a 30-day total belongs to no single day).
with

source as (

    select * from {{ source('page_report', 'page_report_rows') }}

),

renamed as (

    select
        cast(report_date as date) as report_date,
        cast(coalesce(period_start, report_date) as date) as period_start,
        cast(coalesce(period_end, report_date) as date) as period_end,
        cast({{ days_between('coalesce(period_start, report_date)', 'coalesce(period_end, report_date)') }} + 1 as integer)
            as period_days,
        lower(trim(host)) as host,
        page_path,
        page_title,
        cast(pageviews as bigint) as pageviews,
        cast(users as bigint) as users,
        cast(sessions as bigint) as sessions,
        cast(engagement_seconds as double) as engagement_seconds,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
