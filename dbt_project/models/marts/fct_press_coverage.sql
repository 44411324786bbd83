-- One row per article about the sector (by address). The same article in several review files: the last file and line
-- win (a later review may correct the tone).
with

coverage as (

    select * from {{ ref('stg_press__coverage') }}

),

latest_copy as (

    select {{ star_except(['copy_rank']) }}
    from (
        select
            *,
            row_number() over (partition by url order by source_file desc, source_line desc) as copy_rank
        from coverage
    )
    where copy_rank = 1

),

final as (

    select
        cast(url as {{ string_type() }}) as url,
        article_date,
        cast({{ month_label('article_date') }} as {{ string_type() }}) as month,
        cast(outlet as {{ string_type() }}) as outlet,
        cast(title as {{ string_type() }}) as title,
        cast(tone as {{ string_type() }}) as tone,
        cast(plan_item as {{ string_type() }}) as plan_item

    from latest_copy

)

select * from final
