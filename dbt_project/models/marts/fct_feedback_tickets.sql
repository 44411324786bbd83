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

units as (

    select * from {{ ref('dim_unit') }}

),

authorised_titles as (

    select * from {{ ref('authorised_responder_titles') }}

),

-- one row per (unit type, title key): a title listed twice in the seed, or in two spellings, must not double a ticket
authorised_title_keys as (

    select distinct
        unit_type,
        {{ title_key('title') }} as title_key

    from authorised_titles
    where title is not null

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
        -- The SLA file may name the exporting system's own category (more precise) or the canonical one.
        coalesce(
            sla_by_source.sla_working_days, sla_by_canonical.sla_working_days,
            {{ var('default_sla_working_days', 10) }}
        ) as sla_working_days,
        coalesce(
            sla_by_source.forward_sla_working_days, sla_by_canonical.forward_sla_working_days,
            {{ var('default_forward_sla_working_days', 5) }}
        ) as forward_sla_working_days,
        as_of.as_of_date,
        responding_unit.unit_type as responding_unit_type

    from tickets
    cross join as_of
    left join category_sla as sla_by_source
        on tickets.source_category = sla_by_source.category
    left join category_sla as sla_by_canonical
        on tickets.category = sla_by_canonical.category
    left join units as responding_unit
        on tickets.responding_unit_code = responding_unit.unit_code

),

-- the plan asks for answers by the right agency and the right title: the signer's title must be one the seed lists for
-- the responding unit's type (or for every type, '*')
title_checked as (

    select
        dated.*,
        exists (
            select 1
            from authorised_title_keys
            where authorised_title_keys.title_key = {{ title_key('dated.responder_title') }}
                and authorised_title_keys.unit_type in (dated.responding_unit_type, '*')
        ) as has_authorised_title

    from dated

),

measured as (

    select
        title_checked.*,
        responded_day.working_day_seq - received_day.working_day_seq as working_days_to_response,
        forwarded_day.working_day_seq - received_day.working_day_seq as working_days_to_forward,
        case
            when title_checked.responded_at is null
                then as_of_day.working_day_seq - received_day.working_day_seq
        end as open_age_working_days

    from title_checked
    left join calendar as received_day
        on title_checked.received_date = received_day.date
    left join calendar as forwarded_day
        on title_checked.forwarded_date = forwarded_day.date
    left join calendar as responded_day
        on title_checked.responded_date = responded_day.date
    left join calendar as as_of_day
        on title_checked.as_of_date = as_of_day.date

),

final as (

    select
        cast(ticket_id as {{ string_type() }}) as ticket_id,
        cast(assigned_unit_code as {{ string_type() }}) as unit_code,
        cast(responding_unit_code as {{ string_type() }}) as responding_unit_code,
        cast(category as {{ string_type() }}) as category,
        cast(channel as {{ string_type() }}) as channel,
        cast(source_category as {{ string_type() }}) as source_category,
        cast(source_channel as {{ string_type() }}) as source_channel,
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
        cast(responder_title as {{ string_type() }}) as responder_title,
        case
            when responded_at is not null then has_authorised_title
        end as answered_by_authorised_title,
        answer_published_at is not null as answer_published,
        as_of_date

    from measured

)

select * from final
