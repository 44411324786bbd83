-- One row per communication incident with its response and resolution times.
with

incidents as (

    select * from {{ ref('int_incidents_deduplicated') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

final as (

    select
        cast(incidents.incident_id as {{ string_type() }}) as incident_id,
        cast(incidents.topic as {{ string_type() }}) as topic,
        cast(incidents.detected_at as timestamp) as detected_at,
        cast({{ quarter_label('incidents.detected_at') }} as {{ string_type() }}) as quarter,
        cast(incidents.detected_via as {{ string_type() }}) as detected_via,
        cast(incidents.severity as {{ string_type() }}) as severity,
        cast(incidents.lead_unit_code as {{ string_type() }}) as lead_unit_code,
        cast(units.unit_name as {{ string_type() }}) as lead_unit_name,
        cast(incidents.first_response_at as timestamp) as first_response_at,
        cast(incidents.resolved_at as timestamp) as resolved_at,
        cast(round({{ minutes_between('incidents.detected_at', 'incidents.first_response_at') }} / 60.0, 1) as double)
            as hours_to_first_response,
        cast(round({{ minutes_between('incidents.detected_at', 'incidents.resolved_at') }} / 60.0, 1) as double)
            as hours_to_resolution,
        incidents.resolved_at is null as is_open

    from incidents
    left join units
        on units.unit_code = incidents.lead_unit_code

)

select * from final
