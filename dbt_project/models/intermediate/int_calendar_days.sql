-- Viet Nam's day-by-day calendar as ingestion wrote it (raw.calendar_days, from the `holidays` package): every year of
-- the data, this year and next year. Plain SQL so the dbt project builds on any adapter.
with

calendar_days as (

    select * from {{ source('calendar', 'calendar_days') }}

),

final as (

    select
        cast(date as date) as date,
        is_weekend,
        is_holiday,
        holiday_name,
        is_working_day

    from calendar_days

)

select * from final
