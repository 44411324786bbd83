-- Flagged comments and what was done; the same comment may be listed again in a later file (deduplicated downstream).
with

source as (

    select * from {{ source('moderation', 'log') }}

),

renamed as (

    select
        comment_id,
        channel,
        cast(flagged_at as timestamp) as flagged_at,
        action,
        cast(action_at as timestamp) as action_at,
        reason_category,
        commenter_key,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
