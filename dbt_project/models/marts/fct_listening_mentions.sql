-- One row per mention (URL) found by social listening, from the copy int_listening_mentions_deduplicated keeps.
with

mentions as (

    select * from {{ ref('int_listening_mentions_deduplicated') }}

),

final as (

    select
        cast(url as {{ string_type() }}) as url,
        cast(mention_date as date) as mention_date,
        cast({{ month_label('mention_date') }} as {{ string_type() }}) as month,
        cast(headline as {{ string_type() }}) as headline,
        cast(source_name as {{ string_type() }}) as source_name,
        cast(source_type as {{ string_type() }}) as source_type,
        cast(sentiment as {{ string_type() }}) as sentiment,
        cast(author_key as {{ string_type() }}) as author_key,
        cast(reach as bigint) as reach,
        cast(engagement as bigint) as engagement,
        cast(copies_count as integer) as copies_count

    from mentions

)

select * from final
