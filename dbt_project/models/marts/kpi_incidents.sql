-- Communication incidents per quarter of detection: response and resolution times, and the spikes of social listening
-- of the quarter that never became an incident record.
with

incidents as (

    select * from {{ ref('fct_incidents') }}

),

spikes as (

    select * from {{ ref('fct_listening_spikes') }}

),

incident_quarters as (

    select
        cast(date_trunc('quarter', detected_at) as date) as quarter_start,
        count(*) as incident_count,
        count(*) filter (where severity in ('high', 'critical')) as serious_count,
        count(*) filter (where first_response_at is not null) as responded_count,
        count(*) filter (where resolved_at is not null) as resolved_count,
        median(hours_to_first_response) as median_hours_to_first_response,
        avg(hours_to_first_response) as mean_hours_to_first_response,
        median(hours_to_resolution) as median_hours_to_resolution

    from incidents
    group by all

),

spike_quarters as (

    select
        cast(date_trunc('quarter', spike_date) as date) as quarter_start,
        count(*) as spike_days,
        count(*) filter (where not became_incident) as spikes_without_incident

    from spikes
    group by all

),

quarters as (

    select quarter_start from incident_quarters
    union
    select quarter_start from spike_quarters

),

final as (

    select
        cast(quarters.quarter_start as date) as quarter_start,
        cast({{ quarter_label('quarters.quarter_start') }} as {{ string_type() }}) as quarter,
        cast(coalesce(incident_quarters.incident_count, 0) as integer) as incident_count,
        cast(coalesce(incident_quarters.serious_count, 0) as integer) as serious_count,
        cast(coalesce(incident_quarters.responded_count, 0) as integer) as responded_count,
        cast(coalesce(incident_quarters.resolved_count, 0) as integer) as resolved_count,
        cast(round(incident_quarters.median_hours_to_first_response, 1) as double) as median_hours_to_first_response,
        cast(round(incident_quarters.mean_hours_to_first_response, 1) as double) as mean_hours_to_first_response,
        cast(round(incident_quarters.median_hours_to_resolution, 1) as double) as median_hours_to_resolution,
        cast(coalesce(spike_quarters.spike_days, 0) as integer) as spike_days,
        cast(coalesce(spike_quarters.spikes_without_incident, 0) as integer) as spikes_without_incident

    from quarters
    left join incident_quarters
        on incident_quarters.quarter_start = quarters.quarter_start
    left join spike_quarters
        on spike_quarters.quarter_start = quarters.quarter_start

)

select * from final
