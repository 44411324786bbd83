-- One row per feedback ticket with its working-day durations and deadline checks.
-- Working days in (a, b] = working_day_seq(b) - working_day_seq(a): the day of receipt is not counted (Civil Code 2015
-- Art. 147), an answer on the day of receipt takes 0 working days.
with

tickets as (

    select * from {{ ref('int_feedback_tickets_deduplicated') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

category_sla as (

    select * from {{ ref('feedback_category_sla') }}

),

-- The latest day anything happened in the feedback data: open tickets are aged up to this day.
as_of as (

    select
        cast(greatest(
            max(received_at), max(forwarded_at), max(responded_at), max(answer_published_at)
        ) as date) as as_of_date

    from tickets

),

dated as (

    select
        tickets.*,
        cast(tickets.received_at as date) as received_date,
        cast(tickets.forwarded_at as date) as forwarded_date,
        cast(tickets.responded_at as date) as responded_date,
        -- Law on Citizen Reception 2013 Art. 28 (10) and Decree 20/2008 Art. 9 (5) unless the category says otherwise.
        coalesce(category_sla.sla_working_days, {{ var('default_sla_working_days', 10) }}) as sla_working_days,
        coalesce(
            category_sla.forward_sla_working_days, {{ var('default_forward_sla_working_days', 5) }}
        ) as forward_sla_working_days,
        as_of.as_of_date

    from tickets
    cross join as_of
    left join category_sla
        on tickets.category = category_sla.category

),

measured as (

    select
        dated.*,
        responded_day.working_day_seq - received_day.working_day_seq as working_days_to_response,
        forwarded_day.working_day_seq - received_day.working_day_seq as working_days_to_forward,
        case
            when dated.responded_at is null
                then as_of_day.working_day_seq - received_day.working_day_seq
        end as open_age_working_days

    from dated
    left join calendar as received_day
        on dated.received_date = received_day.date
    left join calendar as forwarded_day
        on dated.forwarded_date = forwarded_day.date
    left join calendar as responded_day
        on dated.responded_date = responded_day.date
    left join calendar as as_of_day
        on dated.as_of_date = as_of_day.date

),

final as (

    select
        cast(ticket_id as {{ string_type() }}) as ticket_id,
        cast(assigned_unit_code as {{ string_type() }}) as unit_code,
        cast(responding_unit_code as {{ string_type() }}) as responding_unit_code,
        cast(category as {{ string_type() }}) as category,
        cast(channel as {{ string_type() }}) as channel,
        cast(status as {{ string_type() }}) as status,
        received_at,
        received_date,
        forwarded_at,
        responded_at,
        responded_date,
        answer_published_at,
        cast(working_days_to_response as integer) as working_days_to_response,
        cast(working_days_to_forward as integer) as working_days_to_forward,
        cast(sla_working_days as integer) as sla_working_days,
        cast(forward_sla_working_days as integer) as forward_sla_working_days,
        working_days_to_response <= sla_working_days as within_sla,
        working_days_to_forward <= forward_sla_working_days as forwarded_in_time,
        responded_at is null as is_open,
        cast(open_age_working_days as integer) as open_age_working_days,
        case
            when responded_at is null then open_age_working_days > sla_working_days
            else false
        end as is_overdue,
        case
            when responded_at is not null then responding_unit_code = assigned_unit_code
        end as answered_by_assigned_unit,
        answer_published_at is not null as answer_published,
        as_of_date

    from measured

)

select * from final
