-- One row per press request with its answer time and the deadline in force on the day it was received.
-- The deadline rule set is keyed by urgency and date (seed press_deadlines): a change of law (Law on Press 2025 from
-- 2026-07-01, a later decree) is a new seed line, never a code change. Hours are counted on the clock; working days in
-- (received, answered] as for feedback (dim_date.working_day_seq, the day of receipt not counted).
with

requests as (

    select * from {{ ref('int_press_requests_deduplicated') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

deadlines as (

    select * from {{ ref('press_deadlines') }}

),

-- The latest moment anything happened in the register: open requests are aged up to it.
as_of as (

    select greatest(max(received_at), max(answered_at)) as as_of_at

    from requests

),

dated as (

    select
        requests.*,
        cast(requests.received_at as date) as received_date,
        cast(requests.answered_at as date) as answered_date,
        as_of.as_of_at,
        cast(as_of.as_of_at as date) as as_of_date,
        deadlines.deadline_value,
        deadlines.deadline_unit,
        deadlines.legal_basis

    from requests
    cross join as_of
    left join deadlines
        on requests.urgency = deadlines.urgency
        and cast(requests.received_at as date) >= deadlines.valid_from
        and (deadlines.valid_to is null or cast(requests.received_at as date) <= deadlines.valid_to)

),

measured as (

    select
        dated.*,
        {{ seconds_between('dated.received_at', 'dated.answered_at') }} / 3600.0 as hours_to_answer,
        answered_day.working_day_seq - received_day.working_day_seq as working_days_to_answer,
        case when dated.answered_at is null then {{ seconds_between('dated.received_at', 'dated.as_of_at') }} / 3600.0 end as open_age_hours,
        case
            when dated.answered_at is null then as_of_day.working_day_seq - received_day.working_day_seq
        end as open_age_working_days

    from dated
    left join calendar as received_day
        on dated.received_date = received_day.date
    left join calendar as answered_day
        on dated.answered_date = answered_day.date
    left join calendar as as_of_day
        on dated.as_of_date = as_of_day.date

),

final as (

    select
        cast(request_id as {{ string_type() }}) as request_id,
        cast(assigned_unit_code as {{ string_type() }}) as unit_code,
        cast(outlet as {{ string_type() }}) as outlet,
        cast(topic as {{ string_type() }}) as topic,
        cast(urgency as {{ string_type() }}) as urgency,
        received_at,
        received_date,
        answered_at,
        answered_date,
        cast(answered_by_title as {{ string_type() }}) as answered_by_title,
        cast(answer_channel as {{ string_type() }}) as answer_channel,
        cast(hours_to_answer as double) as hours_to_answer,
        cast(working_days_to_answer as integer) as working_days_to_answer,
        cast(deadline_value as integer) as deadline_value,
        cast(deadline_unit as {{ string_type() }}) as deadline_unit,
        cast(legal_basis as {{ string_type() }}) as legal_basis,
        case
            when deadline_unit = 'hours' then hours_to_answer <= deadline_value
            when deadline_unit = 'working_days' then working_days_to_answer <= deadline_value
        end as within_deadline,
        answered_at is null as is_open,
        cast(open_age_hours as double) as open_age_hours,
        cast(open_age_working_days as integer) as open_age_working_days,
        case
            when answered_at is not null then false
            when deadline_unit = 'hours' then open_age_hours > deadline_value
            when deadline_unit = 'working_days' then open_age_working_days > deadline_value
        end as is_overdue,
        as_of_date

    from measured

)

select * from final
