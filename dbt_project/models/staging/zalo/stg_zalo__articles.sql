-- OA articles from the admin's article lists, one row per article per export: counts as of the export day.
with

source as (

    select * from {{ source('zalo', 'articles') }}

),

renamed as (

    select
        article_id,
        title,
        article_type,
        cast(published_at as timestamp) as published_at,
        cast(exported_on as date) as exported_on,
        cast(total_view as bigint) as total_view,
        cast(total_share as bigint) as total_share,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
