-- One row per incident. An incident listed again in a later file keeps the most advanced record (resolved, then
-- responded to), then the latest time in it, the greatest file name, the last line (keep_most_advanced_copy).
with

incidents as (

    select * from {{ ref('stg_incidents__log') }}

),

final as (

    {{ keep_most_advanced_copy('incidents', 'incident_id',
                               ['(resolved_at is not null)', '(first_response_at is not null)'],
                               ['detected_at', 'first_response_at', 'resolved_at']) }}

)

select * from final
