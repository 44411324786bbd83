-- Press events, renamed and typed.
with

source as (

    select * from {{ source('press', 'press_events') }}

),

renamed as (

    select
        cast(event_date as date) as event_date,
        event_type,
        title,
        led_by_title,
        cast(attendance as bigint) as attendance,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
