-- Citizens' feedback tickets, renamed and typed. Citizen keys and the free text are left out: no KPI needs them.
with

source as (

    select * from {{ source('feedback', 'feedback_tickets') }}

),

renamed as (

    select
        ticket_id,
        cast(received_at as timestamp) as received_at,
        channel,
        category,
        assigned_unit_code,
        cast(forwarded_at as timestamp) as forwarded_at,
        responding_unit_code,
        cast(responded_at as timestamp) as responded_at,
        responder_title,
        cast(answer_published_at as timestamp) as answer_published_at,
        lower(status) as status,
        -- the exporting system's own words (canonical channel/category 'Khác' when no mapping knows them)
        coalesce(source_channel, channel) as source_channel,
        coalesce(source_category, category) as source_category,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
