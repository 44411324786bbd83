-- Mid-quarter reminders: for each unit that is behind as of the as-of date (dbt var as_of_date / env EDUKPI_AS_OF_DATE,
-- else the latest submission day), one row per kind of reminder: articles still needed this quarter
-- (kpi_quota_fulfilment, built with the same as-of date), feedback tickets open and past their deadline or due within
-- nudge_due_soon_working_days working days (fct_feedback_tickets, re-aged to the as-of date on the working-day
-- calendar), schools of the unit whose disclosure is incomplete for the school year with the next deadline, press
-- requests open and past their deadline or due within the same number of working days (fct_press_requests, re-aged to
-- the as-of date the same way), and the division's monthly report of the last month whose deadline has passed by the
-- as-of date when it was not in by then (kpi_monthly_reports, judged again as of the date).
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

press as (

    select * from {{ ref('fct_press_requests') }}

),

monthly_reports as (

    select * from {{ ref('kpi_monthly_reports') }}

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
        {{ days_between('as_of.as_of_date', 'quota.quarter_end') }} as days_left,
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
        {{ string_agg_ordered('ticket_id', ', ', ['sla_working_days - age_working_days', 'ticket_id']) }} as detail_ids

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
        {{ days_between('any_value(as_of.as_of_date)', 'any_value(disclosure.deadline)') }} as days_left,
        {{ string_agg_ordered('disclosure.site_host', ', ', ['disclosure.site_host']) }} as detail_ids

    from disclosure
    cross join as_of
    inner join disclosure_year
        on disclosure_year.school_year = disclosure.school_year
    where not disclosure.is_complete
        and disclosure.reporting_unit_code is not null
    group by disclosure.reporting_unit_code, disclosure.school_year

),

-- a press request as it stood at the end of the as-of day: received by then and not answered by then. fct_press_requests
-- ages open requests to the register's latest moment, so the age is taken again here: deadlines in working days count
-- working days after the day of receipt as feedback does; deadlines in hours are past when the due moment falls before
-- the end of the as-of day, and their working days left run to the day of the due moment.
press_open_then as (

    select
        press.request_id,
        press.unit_code,
        case
            when press.deadline_unit = 'working_days'
                then as_of_day.working_day_seq - received_day.working_day_seq > press.deadline_value
            when press.deadline_unit = 'hours'
                then {{ add_hours('press.received_at', 'press.deadline_value') }} < {{ add_days('as_of.as_of_date', 1) }}
        end as is_overdue,
        case
            when press.deadline_unit = 'working_days'
                then press.deadline_value - (as_of_day.working_day_seq - received_day.working_day_seq)
            when press.deadline_unit = 'hours'
                then due_day.working_day_seq - as_of_day.working_day_seq
        end as working_days_left

    from press
    cross join as_of
    inner join calendar as received_day
        on received_day.date = press.received_date
    inner join calendar as as_of_day
        on as_of_day.date = as_of.as_of_date
    left join calendar as due_day
        on press.deadline_unit = 'hours'
        and due_day.date = cast({{ add_hours('press.received_at', 'press.deadline_value') }} as date)
    where press.received_date <= as_of.as_of_date
        and (press.answered_date is null or press.answered_date > as_of.as_of_date)
        and press.unit_code is not null
        and press.deadline_value is not null

),

press_reminders as (

    select
        unit_code,
        case when is_overdue then 'press_overdue' else 'press_due_soon' end as reminder_kind,
        cast(null as {{ string_type() }}) as period,
        count(*) as items_count,
        min(working_days_left) as days_left,
        {{ string_agg_ordered('request_id', ', ', ['working_days_left', 'request_id']) }} as detail_ids

    from press_open_then
    where is_overdue
        or working_days_left <= {{ var('nudge_due_soon_working_days', 3) }}
    group by all

),

-- the last month whose report deadline has passed by the as-of date (missing in kpi_monthly_reports means the same, but
-- judged on its register's latest day), and the divisions whose report for it was not in by the as-of date
report_month_due as (

    select max(monthly_reports.month_start) as month_start

    from monthly_reports
    cross join as_of
    where monthly_reports.deadline_date < as_of.as_of_date

),

monthly_report_missing as (

    select
        monthly_reports.unit_code,
        'monthly_report' as reminder_kind,
        monthly_reports.month as period,
        1 as items_count,
        {{ days_between('as_of.as_of_date', 'monthly_reports.deadline_date') }} as days_left,
        cast(null as {{ string_type() }}) as detail_ids

    from monthly_reports
    cross join as_of
    inner join report_month_due
        on report_month_due.month_start = monthly_reports.month_start
    where monthly_reports.submitted_at is null
        or cast(monthly_reports.submitted_at as date) > as_of.as_of_date

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
        {%- for reminders in ['articles', 'feedback', 'disclosure_gaps', 'press_reminders', 'monthly_report_missing'] %}
        select unit_code, reminder_kind, period, items_count, days_left, detail_ids from {{ reminders }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as reminders
    cross join as_of
    left join units
        on units.unit_code = reminders.unit_code

)

select * from final
