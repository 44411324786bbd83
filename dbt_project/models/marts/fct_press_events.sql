-- One row per press event (day, name), with whether the department's leadership led it (seed press_leadership_titles).
with

events as (

    select * from {{ ref('stg_press__events') }}

),

leadership_titles as (

    select * from {{ ref('press_leadership_titles') }}

),

latest_copy as (

    select {{ star_except(['copy_rank']) }}
    from (
        select
            *,
            row_number() over (
                partition by event_date, title order by source_file desc, source_line desc
            ) as copy_rank
        from events
    )
    where copy_rank = 1

),

final as (

    select
        latest_copy.event_date,
        cast({{ quarter_label('latest_copy.event_date') }} as {{ string_type() }}) as quarter,
        cast(date_trunc('quarter', latest_copy.event_date) as date) as quarter_start,
        cast(latest_copy.event_type as {{ string_type() }}) as event_type,
        cast(latest_copy.title as {{ string_type() }}) as title,
        cast(latest_copy.led_by_title as {{ string_type() }}) as led_by_title,
        coalesce(leadership_titles.is_leadership, false) as is_leadership_led,
        cast(latest_copy.attendance as bigint) as attendance

    from latest_copy
    left join leadership_titles
        on lower(trim(latest_copy.led_by_title)) = lower(trim(leadership_titles.title))

)

select * from final
