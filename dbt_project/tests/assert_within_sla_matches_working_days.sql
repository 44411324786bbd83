-- Every answered ticket: within_sla is exactly (working_days_to_response <= sla_working_days), and never NULL.
select
    ticket_id,
    working_days_to_response,
    sla_working_days,
    within_sla

from {{ ref('fct_feedback_tickets') }}
where not is_open
    and (within_sla is null or within_sla <> (working_days_to_response <= sla_working_days))
