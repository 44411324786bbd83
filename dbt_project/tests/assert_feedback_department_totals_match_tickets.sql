-- The department rows of kpi_feedback_response count every ticket exactly once per grain.
with

tickets as (

    select count(*) as tickets from {{ ref('fct_feedback_tickets') }}

),

department_totals as (

    select
        period_grain,
        sum(received_count) as received

    from {{ ref('kpi_feedback_response') }}
    where unit_code is null
    group by period_grain

)

select
    department_totals.period_grain,
    department_totals.received,
    tickets.tickets

from department_totals
cross join tickets
where department_totals.received <> tickets.tickets
