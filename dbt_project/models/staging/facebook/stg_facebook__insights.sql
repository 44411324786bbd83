-- Graph API insight values, one row per value; metric holds the current name, source_metric the delivered one.
with

source as (

    select * from {{ source('facebook', 'insights') }}

),

renamed as (

    select
        object_id,
        page_id,
        post_id,
        metric,
        source_metric,
        period,
        cast(end_time as timestamp) as end_time,
        cast(metric_date as date) as metric_date,
        cast(value as bigint) as metric_value,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
