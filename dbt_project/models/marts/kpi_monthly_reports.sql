-- Each division (unit registry, type department_division, valid in the month) and month from the first to the last
-- month in the register: reported on time, late, missing, or not yet due; and the run of consecutive on-time months.
with

reports as (

    select * from {{ ref('int_monthly_reports_deduplicated') }}

),

deadlines as (

    select * from {{ ref('int_monthly_report_deadlines') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

months as (

    select {{ period_starts('month', 'min(report_month)', 'max(report_month)') }} as report_month
    from reports

),

-- the register's as-of day: a report not received by then is missing only when its deadline has passed
as_of as (

    select cast(max(last_submitted_at) as date) as as_of_date
    from reports

),

expected as (

    select
        units.unit_code,
        units.unit_name,
        months.report_month

    from units
    cross join months
    where units.unit_type = 'department_division'
        and units.valid_from <= cast(months.report_month + interval 1 month - interval 1 day as date)
        and (units.valid_to is null or units.valid_to >= months.report_month)

),

classified as (

    select
        expected.unit_code,
        expected.unit_name,
        expected.report_month,
        deadlines.deadline_date,
        reports.first_submitted_at,
        reports.issues_count,
        case
            when reports.first_submitted_at is not null
                and cast(reports.first_submitted_at as date) <= deadlines.deadline_date then 'on_time'
            when reports.first_submitted_at is not null then 'late'
            when deadlines.deadline_date < as_of.as_of_date then 'missing'
            else 'not_due'
        end as status

    from expected
    cross join as_of
    left join deadlines
        on deadlines.report_month = expected.report_month
    left join reports
        on reports.unit_code = expected.unit_code
        and reports.report_month = expected.report_month

),

-- every month not on time starts a new run; the streak is the on-time months of the run so far
runs as (

    select
        *,
        sum(case when status = 'on_time' then 0 else 1 end) over (
            partition by unit_code order by report_month rows unbounded preceding
        ) as run_id

    from classified

),

final as (

    select
        cast(unit_code as {{ string_type() }}) as unit_code,
        cast(unit_name as {{ string_type() }}) as unit_name,
        cast(report_month as date) as month_start,
        cast({{ month_label('report_month') }} as {{ string_type() }}) as month,
        cast(deadline_date as date) as deadline_date,
        cast(first_submitted_at as timestamp) as submitted_at,
        cast(issues_count as integer) as issues_count,
        cast(status as {{ string_type() }}) as status,
        status = 'on_time' as on_time,
        cast(sum(case when status = 'on_time' then 1 else 0 end) over (
            partition by unit_code, run_id order by report_month rows unbounded preceding
        ) as integer) as on_time_streak

    from runs

)

select * from final
