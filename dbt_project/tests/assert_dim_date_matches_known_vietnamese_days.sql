-- The calendar built from `holidays` agrees with days checked by hand (domain.md; each checked against holidays.VN
-- 0.109 in Python). Returns the days or spans that disagree. The calendar covers the years of the data (and this year
-- and next), so a day checked here that lies outside it is not checked (inner joins).
with

calendar as (

    select * from {{ ref('dim_date') }}

),

expected_days (day, expected_working) as (

    values
        (date '2024-02-07', true),   -- Wed before Tết
        (date '2024-02-08', false),  -- Tết 8–14/2/2024
        (date '2024-02-14', false),
        (date '2024-02-15', true),
        (date '2024-04-29', false),  -- Mon off, swapped for Sat 4/5
        (date '2024-05-04', true),   -- make-up Saturday
        (date '2024-09-03', false),
        (date '2025-01-27', false),  -- Tết 2025
        (date '2025-04-26', true),   -- make-up Saturday
        (date '2025-05-02', false),  -- Fri off, swapped for Sat 26/4
        (date '2025-09-02', false),
        (date '2024-03-10', false)   -- an ordinary Sunday

),

day_mismatches as (

    select
        'day ' || cast(expected_days.day as {{ string_type() }}) as check_name,
        cast(calendar.is_working_day as {{ string_type() }}) as actual,
        cast(expected_days.expected_working as {{ string_type() }}) as expected

    from expected_days
    inner join calendar
        on expected_days.day = calendar.date
    where calendar.is_working_day is distinct from expected_days.expected_working

),

-- working days in (from_day, to_day] = seq(to_day) - seq(from_day)
expected_spans (from_day, to_day, expected_working_days) as (

    values
        (date '2024-02-07', date '2024-02-16', 2),   -- Tết 2024: 15 and 16 Feb only
        (date '2024-04-26', date '2024-05-06', 4),   -- 2, 3, Sat 4 (make-up), 6 May
        (date '2024-03-10', date '2024-03-11', 1),   -- received Sunday, answered Monday
        (date '2025-04-25', date '2025-05-05', 4),   -- Sat 26/4 worked, 28, 29/4, 5/5; 2/5 off
        (date '2024-03-04', date '2024-03-18', 10),  -- 10-day deadline boundary
        (date '2024-03-04', date '2024-03-19', 11)

),

span_mismatches as (

    select
        'span ' || cast(expected_spans.from_day as {{ string_type() }}) || '..' || cast(expected_spans.to_day as {{ string_type() }}),
        cast(to_day.working_day_seq - from_day.working_day_seq as {{ string_type() }}),
        cast(expected_spans.expected_working_days as {{ string_type() }})

    from expected_spans
    inner join calendar as from_day
        on expected_spans.from_day = from_day.date
    inner join calendar as to_day
        on expected_spans.to_day = to_day.date
    where (to_day.working_day_seq - from_day.working_day_seq) is distinct from expected_spans.expected_working_days

)

select * from day_mismatches
union all
select * from span_mismatches
