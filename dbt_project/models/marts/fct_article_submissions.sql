-- One row per article submitted to the department office (after deduplication), with its unit, quarter and status, and
-- where and when it was published. Titles and authors stay in intermediate: staff get the article, not the person.
with

submissions as (

    select * from {{ ref('int_article_submissions_deduplicated') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

final as (

    select
        cast(submissions.submission_id as varchar) as submission_id,
        cast(submissions.unit_code as varchar) as unit_code,
        cast(units.unit_name as varchar) as unit_name,
        cast(units.unit_type as varchar) as unit_type,
        cast(submissions.unit_as_sent as varchar) as unit_as_sent,
        cast({{ quarter_label('submissions.submitted_at') }} as varchar) as quarter,
        cast(submissions.submitted_at as timestamp) as submitted_at,
        cast(submissions.submitted_at as date) as submitted_date,
        cast(submissions.plan_item as varchar) as plan_item,
        cast(submissions.status as varchar) as status,
        cast(submissions.published_at as timestamp) as published_at,
        cast(submissions.published_channel as varchar) as published_channel,
        cast(submissions.url as varchar) as url,
        cast(submissions.source_file as varchar) as source_file,
        cast(submissions.source_line as integer) as source_line

    from submissions
    left join units
        on submissions.unit_code = units.unit_code

)

select * from final
