-- GA4 export events, renamed and typed; one row per event.
with

source as (

    select * from {{ source('ga4', 'ga4_events') }}

),

renamed as (

    select
        cast(event_date as date) as event_date,
        cast(event_timestamp_us as bigint) as event_timestamp_us,
        cast(event_local_ts as timestamp) as event_local_ts,
        event_name,
        page_location,
        lower(trim(page_host)) as page_host,
        page_path,
        page_title,
        cast(ga_session_id as bigint) as ga_session_id,
        cast(engagement_time_msec as bigint) as engagement_time_msec,
        user_pseudo_id,
        device_category,
        geo_city,
        traffic_source,
        traffic_medium,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
