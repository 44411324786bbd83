-- Feedback handling per unit and for the whole department (unit_code NULL), by month and by quarter of receipt.
with

tickets as (

    select * from {{ ref('fct_feedback_tickets') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

-- every ticket once per grain, in the period of its received date
ticket_periods as (

    select
        'month' as period_grain,
        cast(date_trunc('month', received_date) as date) as period_start,
        *
    from tickets

    union all

    select
        'quarter' as period_grain,
        cast(date_trunc('quarter', received_date) as date) as period_start,
        *
    from tickets

),

aggregated as (

    select
        period_grain,
        period_start,
        unit_code,
        {{ is_department_row() }} as is_department,
        count(*) as received_count,
        count(*) filter (where not is_open) as answered_count,
        count(*) filter (where within_sla) as answered_within_sla_count,
        {{ quantile_cont('working_days_to_response', 0.5) }} as median_working_days,
        {{ quantile_cont('working_days_to_response', 0.9) }} as p90_working_days,
        count(*) filter (where is_open and open_age_working_days <= 5) as open_backlog_0_5,
        count(*) filter (where is_open and open_age_working_days between 6 and 10) as open_backlog_6_10,
        count(*) filter (where is_open and open_age_working_days > 10) as open_backlog_over_10,
        count(*) filter (where is_overdue) as open_overdue_count,
        count(*) filter (where forwarded_at is not null) as forwarded_count,
        count(*) filter (where forwarded_in_time) as forwarded_in_time_count,
        count(*) filter (where not is_open and answer_published) as answers_published_count,
        count(*) filter (where answered_by_assigned_unit) as answered_by_assigned_unit_count,
        count(*) filter (where answered_by_authorised_title) as answered_by_authorised_title_count

    from ticket_periods
    group by {{ group_by_unit_and_department(['period_grain', 'period_start']) }}

),

-- department rows for every month and quarter from the first to the last receipt, empty periods included
bounds as (

    select
        min(received_date) as first_date,
        max(received_date) as last_date,
        max(as_of_date) as as_of_date

    from tickets

),

department_periods as (

    select 'month' as period_grain, {{ period_starts('month', 'first_date', 'last_date') }} as period_start
    from bounds

    union all

    select 'quarter' as period_grain, {{ period_starts('quarter', 'first_date', 'last_date') }} as period_start
    from bounds

),

-- units, and the department for every period (a ticket without an assigned unit counts for the department only)
all_rows as (

    {{ unit_and_department_rows('aggregated', 'department_periods', ['period_grain', 'period_start']) }}

),

final as (

    select
        cast(all_rows.period_grain as {{ string_type() }}) as period_grain,
        cast({{ period_label('all_rows.period_grain', 'all_rows.period_start') }} as {{ string_type() }}) as period,
        all_rows.period_start,
        cast(all_rows.unit_code as {{ string_type() }}) as unit_code,
        cast(
            case when all_rows.unit_code is null then {{ department_label() }} else units.unit_name end as {{ string_type() }}
        ) as unit_name,
        cast(coalesce(all_rows.received_count, 0) as bigint) as received_count,
        cast(coalesce(all_rows.answered_count, 0) as bigint) as answered_count,
        cast(coalesce(all_rows.answered_within_sla_count, 0) as bigint) as answered_within_sla_count,
        {{ pct('all_rows.answered_within_sla_count', 'all_rows.answered_count') }} as answered_within_sla_pct,
        cast(all_rows.median_working_days as double) as median_working_days,
        cast(all_rows.p90_working_days as double) as p90_working_days,
        cast(coalesce(all_rows.open_backlog_0_5, 0) as bigint) as open_backlog_0_5,
        cast(coalesce(all_rows.open_backlog_6_10, 0) as bigint) as open_backlog_6_10,
        cast(coalesce(all_rows.open_backlog_over_10, 0) as bigint) as open_backlog_over_10,
        cast(coalesce(all_rows.open_overdue_count, 0) as bigint) as open_overdue_count,
        cast(coalesce(all_rows.forwarded_count, 0) as bigint) as forwarded_count,
        {{ pct('all_rows.forwarded_in_time_count', 'all_rows.forwarded_count') }} as forwarded_in_time_pct,
        {{ pct('all_rows.answers_published_count', 'all_rows.answered_count') }} as answers_published_pct,
        {{ pct('all_rows.answered_by_assigned_unit_count', 'all_rows.answered_count') }} as answered_by_assigned_unit_pct,
        cast(coalesce(all_rows.answered_by_authorised_title_count, 0) as bigint) as answered_by_authorised_title_count,
        {{ pct('all_rows.answered_by_authorised_title_count', 'all_rows.answered_count') }} as answered_by_authorised_title_pct,
        bounds.as_of_date

    from all_rows
    cross join bounds
    left join units
        on all_rows.unit_code = units.unit_code

)

select * from final
