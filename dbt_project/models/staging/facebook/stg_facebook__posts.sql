-- Fanpage posts from Business Suite exports, one row per post per export: the counts are as of the export day.
with

source as (

    select * from {{ source('facebook', 'posts') }}

),

renamed as (

    select
        post_id,
        page_id,
        title,
        description,
        post_type,
        permalink,
        cast(published_at as timestamp) as published_at,
        cast(exported_on as date) as exported_on,
        cast(views as bigint) as views,
        cast(reach as bigint) as reach,
        cast(reactions as bigint) as reactions,
        cast(comments as bigint) as comments,
        cast(shares as bigint) as shares,
        cast(link_clicks as bigint) as link_clicks,
        cast(other_clicks as bigint) as other_clicks,
        cast(total_clicks as bigint) as total_clicks,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
