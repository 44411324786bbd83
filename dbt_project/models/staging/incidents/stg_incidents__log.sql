-- Incidents as logged; a later file may list an incident again with its response and resolution (deduplicated downstream).
with

source as (

    select * from {{ source('incidents', 'log') }}

),

renamed as (

    select
        incident_id,
        topic,
        cast(detected_at as timestamp) as detected_at,
        detected_via,
        cast(first_response_at as timestamp) as first_response_at,
        cast(resolved_at as timestamp) as resolved_at,
        lead_unit_code,
        severity,
        source_file,
        cast(source_line as integer) as source_line

    from source

)

select * from renamed
