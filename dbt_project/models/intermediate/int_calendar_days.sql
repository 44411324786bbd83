-- Viet Nam's day-by-day calendar, written by ingestion from the `holidays` package (ingestion/calendar_days.py).
with

calendar_days as (

    select * from {{ source('raw', 'calendar_days') }}

),

final as (

    select
        date,
        is_weekend,
        is_holiday,
        holiday_name,
        is_working_day

    from calendar_days

)

select * from final
