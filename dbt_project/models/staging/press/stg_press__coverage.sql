-- Press review articles, renamed and typed.
with

source as (

    select * from {{ source('press', 'press_coverage') }}

),

renamed as (

    select
        cast(article_date as date) as article_date,
        outlet,
        url,
        title,
        lower(tone) as tone,
        plan_item,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
