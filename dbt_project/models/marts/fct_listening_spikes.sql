-- One row per spike day of social listening, with the incidents detected on it or within incident_match_days after it
-- (reference.listening_reference); a spike without one is for review.
with

listening_days as (

    select * from {{ ref('int_listening_days') }}

),

incidents as (

    select * from {{ ref('int_incidents_deduplicated') }}

),

listening_reference as (

    select * from {{ ref('listening_reference') }}

),

matched as (

    select
        listening_days.mention_date as spike_date,
        listening_days.mention_count,
        listening_days.trailing_median,
        count(incidents.incident_id) as incident_count,
        min(incidents.incident_id) as first_incident_id,
        any_value(listening_reference.incident_match_days) as incident_match_days

    from listening_days
    cross join listening_reference
    left join incidents
        on cast(incidents.detected_at as date) >= listening_days.mention_date
        and cast(incidents.detected_at as date)
            <= listening_days.mention_date + listening_reference.incident_match_days
    where listening_days.is_spike
    group by listening_days.mention_date, listening_days.mention_count, listening_days.trailing_median

),

final as (

    select
        cast(spike_date as date) as spike_date,
        cast({{ quarter_label('spike_date') }} as {{ string_type() }}) as quarter,
        cast(mention_count as integer) as mention_count,
        cast(trailing_median as double) as trailing_median,
        cast(incident_count as integer) as incident_count,
        cast(first_incident_id as {{ string_type() }}) as first_incident_id,
        incident_count > 0 as became_incident,
        cast(incident_match_days as integer) as incident_match_days

    from matched

)

select * from final
