-- One row per unit that must name a communication officer and per day it exists, from the first day any roster covers
-- to the day of the latest roster: does it have an officer that day? Units come from the registry by validity dates,
-- so a dissolved district office stops counting on its last day.
with

assignments as (

    select * from {{ ref('fct_officer_assignments') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

required_types as (

    select * from {{ ref('officer_required_unit_types') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

bounds as (

    select
        min(valid_from) as first_date,
        max(listed_on) as as_of_date

    from assignments

),

required_units as (

    select units.*
    from units
    inner join required_types
        on units.unit_type = required_types.unit_type
    where required_types.officer_required

),

unit_days as (

    select
        required_units.unit_code,
        calendar.date as day

    from required_units
    cross join bounds
    inner join calendar
        on calendar.date between greatest(required_units.valid_from, bounds.first_date)
        and least(coalesce(required_units.valid_to, bounds.as_of_date), bounds.as_of_date)

),

final as (

    select
        unit_days.unit_code,
        unit_days.day,
        count(assignments.unit_code) > 0 as has_officer,
        count(*) filter (where assignments.valid_from = unit_days.day and assignments.is_change) as changes_count,
        bounds.as_of_date

    from unit_days
    cross join bounds
    left join assignments
        on unit_days.unit_code = assignments.unit_code
        and unit_days.day between assignments.valid_from and coalesce(assignments.valid_to, bounds.as_of_date)
    group by unit_days.unit_code, unit_days.day, bounds.as_of_date

)

select * from final
