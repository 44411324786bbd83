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
        cast(submissions.submission_id as {{ string_type() }}) as submission_id,
        cast(submissions.unit_code as {{ string_type() }}) as unit_code,
        cast(units.unit_name as {{ string_type() }}) as unit_name,
        cast(units.unit_type as {{ string_type() }}) as unit_type,
        cast(submissions.unit_as_sent as {{ string_type() }}) as unit_as_sent,
        cast({{ quarter_label('submissions.submitted_at') }} as {{ string_type() }}) as quarter,
        cast(submissions.submitted_at as timestamp) as submitted_at,
        cast(submissions.submitted_at as date) as submitted_date,
        cast(submissions.plan_item as {{ string_type() }}) as plan_item,
        cast(submissions.status as {{ string_type() }}) as status,
        cast(submissions.published_at as timestamp) as published_at,
        cast(submissions.published_channel as {{ string_type() }}) as published_channel,
        cast(submissions.url as {{ string_type() }}) as url,
        cast(submissions.source_file as {{ string_type() }}) as source_file,
        cast(submissions.source_line as integer) as source_line

    from submissions
    left join units
        on submissions.unit_code = units.unit_code

)

select * from final
