-- Daily interactions of the OA from the admin's "Thống kê" page.
with

source as (

    select * from {{ source('zalo', 'interactions') }}

),

renamed as (

    select
        cast(interaction_date as date) as interaction_date,
        cast(new_followers as bigint) as new_followers,
        cast(unfollows as bigint) as unfollows,
        cast(messages_received as bigint) as messages_received,
        cast(messages_answered as bigint) as messages_answered,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
