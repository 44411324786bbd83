-- Press requests, renamed and typed. The journalist key is left out: no KPI needs to know who asked.
with

source as (

    select * from {{ source('press', 'press_requests') }}

),

renamed as (

    select
        request_id,
        outlet,
        cast(received_at as timestamp) as received_at,
        topic,
        lower(urgency) as urgency,
        assigned_unit_code,
        cast(answered_at as timestamp) as answered_at,
        answered_by_title,
        answer_channel,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
