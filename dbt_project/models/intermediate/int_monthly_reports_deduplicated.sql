-- One row per division and month reported on. A report sent again (a correction) does not move the submission: the
-- first submission decides whether it was on time; the issue count is the latest copy's (latest submission, then the
-- greatest file name, then the last line).
with

reports as (

    select * from {{ ref('stg_monthly_reports__register') }}

),

final as (

    select
        unit_code,
        report_month,
        min(submitted_at) as first_submitted_at,
        max(submitted_at) as last_submitted_at,
        {{ arg_max_by_keys('issues_count', ['submitted_at', 'source_file', 'source_line']) }} as issues_count,
        count(*) as copies_count

    from reports
    group by unit_code, report_month

)

select * from final
