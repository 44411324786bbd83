-- Reports as registered; a division may send a month's report again (a correction): deduplicated downstream.
with

source as (

    select * from {{ source('monthly_reports', 'register') }}

),

renamed as (

    select
        unit_code,
        unit_as_sent,
        cast(report_month as date) as report_month,
        cast(submitted_at as timestamp) as submitted_at,
        cast(issues_count as integer) as issues_count,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
