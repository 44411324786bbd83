-- One row per mention (URL) found by social listening, from the copy int_listening_mentions_deduplicated keeps.
with

mentions as (

    select * from {{ ref('int_listening_mentions_deduplicated') }}

),

final as (

    select
        cast(url as varchar) as url,
        cast(mention_date as date) as mention_date,
        cast({{ month_label('mention_date') }} as varchar) as month,
        cast(headline as varchar) as headline,
        cast(source_name as varchar) as source_name,
        cast(source_type as varchar) as source_type,
        cast(sentiment as varchar) as sentiment,
        cast(author_key as varchar) as author_key,
        cast(reach as bigint) as reach,
        cast(engagement as bigint) as engagement,
        cast(copies_count as integer) as copies_count

    from mentions

)

select * from final
