-- Working-day calendar: one row per day. Working days in (a, b] = working_day_seq(b) - working_day_seq(a).
with

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

final as (

    select
        cast(date as date) as date,
        cast(year(date) as integer) as year,
        cast(quarter(date) as integer) as quarter,
        cast(month(date) as integer) as month,
        {{ quarter_label('date') }} as quarter_label,
        {{ month_label('date') }} as month_label,
        cast(date_trunc('quarter', date) as date) as quarter_start,
        cast(date_trunc('month', date) as date) as month_start,
        is_weekend,
        is_holiday,
        holiday_name,
        is_working_day,
        cast(
            sum(case when is_working_day then 1 else 0 end) over (order by date rows unbounded preceding)
            as integer
        ) as working_day_seq

    from calendar_days

)

select * from final
