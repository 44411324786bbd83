-- A ticket cannot be forwarded or answered before it was received: such rows would get negative working days.
{{ config(severity='warn') }}

select
    ticket_id,
    received_at,
    forwarded_at,
    responded_at

from {{ ref('fct_feedback_tickets') }}
where forwarded_at < received_at
    or responded_at < received_at
