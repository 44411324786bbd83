-- Daily follower snapshots of the OA; a day delivered in two files keeps the later file's value downstream.
with

source as (

    select * from {{ source('zalo', 'followers') }}

),

renamed as (

    select
        cast(snapshot_date as date) as snapshot_date,
        cast(num_follower as bigint) as num_follower,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
