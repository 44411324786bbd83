-- Mentions as exported; exports overlap, so the same URL may appear several times (deduplicated downstream).
with

source as (

    select * from {{ source('listening', 'mentions') }}

),

renamed as (

    select
        url,
        cast(mention_date as date) as mention_date,
        mention_time,
        headline,
        source_name,
        source_type,
        source_type_as_sent,
        author_key,
        language,
        cast(reach as bigint) as reach,
        cast(engagement as bigint) as engagement,
        sentiment,
        keywords,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
