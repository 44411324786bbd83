-- Press answers per assigned unit and for the whole department (unit_code NULL), by month and by quarter of receipt.
with

requests as (

    select * from {{ ref('fct_press_requests') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

-- every request once per grain, in the period of its received date
request_periods as (

    select
        'month' as period_grain,
        cast(date_trunc('month', received_date) as date) as period_start,
        *
    from requests

    union all

    select
        'quarter' as period_grain,
        cast(date_trunc('quarter', received_date) as date) as period_start,
        *
    from requests

),

aggregated as (

    select
        period_grain,
        period_start,
        unit_code,
        {{ is_department_row() }} as is_department,
        count(*) as received_count,
        count(*) filter (where urgency = 'hot_event') as hot_event_count,
        count(*) filter (where not is_open) as answered_count,
        count(*) filter (where within_deadline) as answered_within_deadline_count,
        count(*) filter (where urgency = 'hot_event' and not is_open) as hot_event_answered_count,
        count(*) filter (where urgency = 'hot_event' and within_deadline) as hot_event_within_deadline_count,
        {{ quantile_cont("hours_to_answer", 0.5) }} as median_hours_to_answer,
        {{ quantile_cont("hours_to_answer", 0.9) }} as p90_hours_to_answer,
        {{ quantile_cont("working_days_to_answer", 0.5) }} as median_working_days_to_answer,
        {{ quantile_cont("working_days_to_answer", 0.9) }} as p90_working_days_to_answer,
        count(*) filter (where is_open and open_age_working_days <= 5) as open_age_0_5,
        count(*) filter (where is_open and open_age_working_days between 6 and 30) as open_age_6_30,
        count(*) filter (where is_open and open_age_working_days > 30) as open_age_over_30,
        count(*) filter (where is_overdue) as open_overdue_count

    from request_periods
    group by {{ group_by_unit_and_department(['period_grain', 'period_start']) }}

),

-- department rows for every month and quarter from the first to the last receipt, empty periods included
bounds as (

    select
        min(received_date) as first_date,
        max(received_date) as last_date,
        max(as_of_date) as as_of_date

    from requests

),

department_periods as (

    select 'month' as period_grain, {{ period_starts('month', 'first_date', 'last_date') }} as period_start
    from bounds

    union all

    select 'quarter' as period_grain, {{ period_starts('quarter', 'first_date', 'last_date') }} as period_start
    from bounds

),

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
        cast(coalesce(all_rows.hot_event_count, 0) as bigint) as hot_event_count,
        cast(coalesce(all_rows.answered_count, 0) as bigint) as answered_count,
        cast(coalesce(all_rows.answered_within_deadline_count, 0) as bigint) as answered_within_deadline_count,
        {{ pct('all_rows.answered_within_deadline_count', 'all_rows.answered_count') }} as answered_within_deadline_pct,
        {{ pct('all_rows.hot_event_within_deadline_count', 'all_rows.hot_event_answered_count') }}
            as hot_event_within_deadline_pct,
        cast(all_rows.median_hours_to_answer as double) as median_hours_to_answer,
        cast(all_rows.p90_hours_to_answer as double) as p90_hours_to_answer,
        cast(all_rows.median_working_days_to_answer as double) as median_working_days_to_answer,
        cast(all_rows.p90_working_days_to_answer as double) as p90_working_days_to_answer,
        cast(coalesce(all_rows.open_age_0_5, 0) as bigint) as open_age_0_5,
        cast(coalesce(all_rows.open_age_6_30, 0) as bigint) as open_age_6_30,
        cast(coalesce(all_rows.open_age_over_30, 0) as bigint) as open_age_over_30,
        cast(coalesce(all_rows.open_overdue_count, 0) as bigint) as open_overdue_count,
        bounds.as_of_date

    from all_rows
    cross join bounds
    left join units
        on all_rows.unit_code = units.unit_code

)

select * from final
