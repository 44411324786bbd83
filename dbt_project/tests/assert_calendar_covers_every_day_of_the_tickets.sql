-- Every day a ticket's working days are counted from or to lies in the working-day calendar; a day outside it would
-- leave the ticket without working days. Returns each such day and what to do.
with

tickets as (

    select * from {{ ref('fct_feedback_tickets') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

ticket_days as (

    select received_date as day, 'received_date' as used_as from tickets
    union
    select cast(forwarded_at as date), 'forwarded date' from tickets where forwarded_at is not null
    union
    select responded_date, 'responded_date' from tickets where responded_date is not null
    union
    select as_of_date, 'as_of_date' from tickets

),

final as (

    select
        ticket_days.day,
        ticket_days.used_as,
        'day ' || cast(ticket_days.day as {{ string_type() }}) || ' (' || ticket_days.used_as || ') is not in raw.calendar_days: '
        || 'materialise the asset raw/calendar_days (it covers every year of the raw tables)' as problem

    from ticket_days
    left join calendar
        on ticket_days.day = calendar.date
    where calendar.date is null

)

select * from final
