-- Web server access-log hits, renamed and typed; one row per accepted log line.
with

source as (

    select * from {{ source('raw', 'access_log_hits') }}

),

renamed as (

    select
        cast(hit_local_ts as timestamp) as hit_local_ts,
        cast(hit_date as date) as hit_date,
        lower(trim(host)) as host,
        client_key,
        upper(method) as http_method,
        path as request_path,
        cast(status as integer) as http_status,
        cast(bytes as bigint) as response_bytes,
        referrer,
        user_agent,
        cast(is_bot as boolean) as is_bot,
        cast(is_page_view as boolean) as is_page_view,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
