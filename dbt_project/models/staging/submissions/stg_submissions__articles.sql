-- Units' article submissions, renamed and typed; a submission may appear in several files (deduplicated downstream).
with

source as (

    select * from {{ source('submissions', 'article_submissions') }}

),

renamed as (

    select
        submission_id,
        unit_code,
        unit_as_sent,
        cast(submitted_at as timestamp) as submitted_at,
        title,
        plan_item,
        author,
        lower(status) as status,
        cast(published_at as timestamp) as published_at,
        lower(published_channel) as published_channel,
        url,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
