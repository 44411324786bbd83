-- Pages and links of the saved school sites, renamed and typed; one row per page and per link (file and line kept).
with

source as (

    select * from {{ source('disclosure', 'items') }}

),

renamed as (

    select
        lower(site_host) as site_host,
        page_file,
        item_kind,
        item_text,
        href,
        linked_file,
        cast(linked_file_present as boolean) as linked_file_present,
        school_year_label,
        cast(published_on as date) as published_on,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
