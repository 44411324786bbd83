-- GA4 Data API style daily page report rows, renamed and typed.
with

source as (

    select * from {{ source('page_report', 'page_report_rows') }}

),

renamed as (

    select
        cast(report_date as date) as report_date,
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
