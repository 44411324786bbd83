-- Press events per quarter: by type and for all types (event_type NULL), with those the leadership led.
with

events as (

    select * from {{ ref('fct_press_events') }}

),

aggregated as (

    select
        quarter,
        quarter_start,
        event_type,
        count(*) as events,
        count(*) filter (where is_leadership_led) as leadership_led_events,
        sum(attendance) as attendance_total

    from events
    group by grouping sets ((quarter, quarter_start, event_type), (quarter, quarter_start))

),

final as (

    select
        cast(quarter as {{ string_type() }}) as quarter,
        quarter_start,
        cast(event_type as {{ string_type() }}) as event_type,
        cast(events as bigint) as events,
        cast(leadership_led_events as bigint) as leadership_led_events,
        cast(attendance_total as bigint) as attendance_total

    from aggregated

)

select * from final
