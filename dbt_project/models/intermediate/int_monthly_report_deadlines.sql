-- The deadline of each month's report: the deadline_working_day-th working day (Viet Nam calendar) of the next month.
with

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

monthly_report_reference as (

    select * from {{ ref('monthly_report_reference') }}

),

working_days as (

    select
        date,
        cast(date_trunc('month', date) as date) as month_start,
        row_number() over (partition by date_trunc('month', date) order by date) as working_day_of_month

    from calendar_days
    where is_working_day

),

final as (

    select
        cast(working_days.month_start - interval 1 month as date) as report_month,
        working_days.date as deadline_date,
        cast(monthly_report_reference.deadline_working_day as integer) as deadline_working_day

    from working_days
    cross join monthly_report_reference
    where working_days.working_day_of_month = monthly_report_reference.deadline_working_day

)

select * from final
