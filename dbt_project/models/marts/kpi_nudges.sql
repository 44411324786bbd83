-- Mid-quarter reminders: for each unit that is behind as of the as-of date (dbt var as_of_date / env EDUKPI_AS_OF_DATE,
-- else the latest submission day), one row per kind of reminder: articles still needed this quarter
-- (kpi_quota_fulfilment, built with the same as-of date), feedback tickets open and past their deadline or due within
-- nudge_due_soon_working_days working days (fct_feedback_tickets, re-aged to the as-of date on the working-day
-- calendar), schools of the unit whose disclosure is incomplete for the school year with the next deadline.
-- A unit on track has no row and gets no message.
with

quota as (

    select * from {{ ref('kpi_quota_fulfilment') }}

),

tickets as (

    select * from {{ ref('fct_feedback_tickets') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

disclosure as (

    select * from {{ ref('kpi_disclosure') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

as_of as (

    select {{ as_of_date('(select max(as_of_date) from quota)') }} as as_of_date

),

articles as (

    select
        quota.unit_code,
        'articles' as reminder_kind,
        quota.quarter as period,
        quota.quota - quota.articles_submitted as items_count,
        date_diff('day', as_of.as_of_date, quota.quarter_end) as days_left,
        cast(null as {{ string_type() }}) as detail_ids

    from quota
    cross join as_of
    where as_of.as_of_date between quota.quarter_start and quota.quarter_end
        and quota.articles_submitted < quota.quota
        and quota.quota_status in ('at_risk', 'not_met')

),

-- a ticket as it stood on the as-of date: received by then and not yet answered
open_then as (

    select
        tickets.ticket_id,
        tickets.unit_code,
        tickets.sla_working_days,
        as_of_day.working_day_seq - received_day.working_day_seq as age_working_days

    from tickets
    cross join as_of
    inner join calendar as received_day
        on received_day.date = tickets.received_date
    inner join calendar as as_of_day
        on as_of_day.date = as_of.as_of_date
    where tickets.received_date <= as_of.as_of_date
        and (tickets.responded_date is null or tickets.responded_date > as_of.as_of_date)
        and tickets.unit_code is not null

),

feedback as (

    select
        unit_code,
        case when age_working_days > sla_working_days then 'feedback_overdue' else 'feedback_due_soon' end
            as reminder_kind,
        cast(null as {{ string_type() }}) as period,
        count(*) as items_count,
        min(sla_working_days - age_working_days) as days_left,
        string_agg(ticket_id, ', ' order by sla_working_days - age_working_days, ticket_id) as detail_ids

    from open_then
    where age_working_days > sla_working_days
        or sla_working_days - age_working_days <= {{ var('nudge_due_soon_working_days', 3) }}
    group by all

),

-- the school year whose deadline comes next (else the last one)
disclosure_year as (

    select
        coalesce(
            min(disclosure.school_year) filter (where disclosure.deadline >= as_of.as_of_date),
            max(disclosure.school_year)
        ) as school_year

    from disclosure
    cross join as_of

),

disclosure_gaps as (

    select
        disclosure.reporting_unit_code as unit_code,
        'disclosure' as reminder_kind,
        disclosure.school_year as period,
        count(*) as items_count,
        date_diff('day', any_value(as_of.as_of_date), any_value(disclosure.deadline)) as days_left,
        string_agg(disclosure.site_host, ', ' order by disclosure.site_host) as detail_ids

    from disclosure
    cross join as_of
    inner join disclosure_year
        on disclosure_year.school_year = disclosure.school_year
    where not disclosure.is_complete
        and disclosure.reporting_unit_code is not null
    group by disclosure.reporting_unit_code, disclosure.school_year

),

final as (

    select
        cast(as_of.as_of_date as date) as as_of_date,
        cast(reminders.unit_code as {{ string_type() }}) as unit_code,
        cast(units.unit_name as {{ string_type() }}) as unit_name,
        cast(units.unit_type as {{ string_type() }}) as unit_type,
        cast(reminders.reminder_kind as {{ string_type() }}) as reminder_kind,
        cast(reminders.period as {{ string_type() }}) as period,
        cast(reminders.items_count as integer) as items_count,
        cast(reminders.days_left as integer) as days_left,
        cast(reminders.detail_ids as {{ string_type() }}) as detail_ids

    from (
        select * from articles
        union all by name
        select * from feedback
        union all by name
        select * from disclosure_gaps
    ) as reminders
    cross join as_of
    left join units
        on units.unit_code = reminders.unit_code

)

select * from final
