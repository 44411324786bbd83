-- Mentions per day from the first to the last day with mentions (days without any count 0), with the median of the
-- spike_window_days days before each day and the spike rule (reference.listening_reference).
with

mentions as (

    select * from {{ ref('int_listening_mentions_deduplicated') }}

),

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

listening_reference as (

    select * from {{ ref('listening_reference') }}

),

bounds as (

    select min(mention_date) as first_day, max(mention_date) as last_day
    from mentions

),

daily as (

    select
        calendar_days.date as mention_date,
        count(mentions.url) as mention_count

    from calendar_days
    cross join bounds
    left join mentions
        on mentions.mention_date = calendar_days.date
    where calendar_days.date between bounds.first_day and bounds.last_day
    group by calendar_days.date

),

-- the window length is data (a seed), so the trailing window is a self-join, not a window frame
windowed as (

    select
        daily.mention_date,
        any_value(daily.mention_count) as mention_count,
        median(earlier.mention_count) as trailing_median,
        count(earlier.mention_date) as days_in_window

    from daily
    cross join listening_reference
    left join daily as earlier
        on earlier.mention_date >= daily.mention_date - listening_reference.spike_window_days
        and earlier.mention_date < daily.mention_date
    group by daily.mention_date

),

final as (

    select
        windowed.mention_date,
        cast(windowed.mention_count as integer) as mention_count,
        cast(windowed.trailing_median as double) as trailing_median,
        cast(listening_reference.spike_factor * windowed.trailing_median as double) as spike_threshold,
        coalesce(
            windowed.days_in_window = listening_reference.spike_window_days
            and windowed.mention_count >= listening_reference.spike_factor * windowed.trailing_median
            and windowed.mention_count >= listening_reference.spike_min_mentions,
            false
        ) as is_spike,
        cast(listening_reference.spike_factor as double) as spike_factor,
        cast(listening_reference.spike_window_days as integer) as spike_window_days

    from windowed
    cross join listening_reference

)

select * from final
