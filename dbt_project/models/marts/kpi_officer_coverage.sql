-- Communication officers per unit and for the whole department (unit_code NULL), by month and by quarter: on how many
-- of the days a unit existed it had an officer, whether it had one on the last such day, and changes of officer.
with

unit_days as (

    select * from {{ ref('int_officer_unit_days') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

day_periods as (

    select 'month' as period_grain, cast(date_trunc('month', day) as date) as period_start, *
    from unit_days

    union all

    select 'quarter' as period_grain, cast(date_trunc('quarter', day) as date) as period_start, *
    from unit_days

),

per_unit as (

    select
        period_grain,
        period_start,
        unit_code,
        count(*) as existing_days,
        count(*) filter (where has_officer) as covered_days,
        -- the last day of the period on which the unit existed (and the data reaches)
        {{ arg_max_by_keys('has_officer', ['day']) }} as has_officer_at_end,
        sum(changes_count) as changes_count,
        max(as_of_date) as as_of_date

    from day_periods
    group by period_grain, period_start, unit_code

),

department as (

    select
        period_grain,
        period_start,
        cast(null as {{ string_type() }}) as unit_code,
        sum(existing_days) as existing_days,
        sum(covered_days) as covered_days,
        cast(null as boolean) as has_officer_at_end,
        sum(changes_count) as changes_count,
        max(as_of_date) as as_of_date,
        count(*) as units_count,
        count(*) filter (where has_officer_at_end) as units_with_officer_count

    from per_unit
    group by period_grain, period_start

),

all_rows as (

    select
        *,
        1 as units_count,
        case when has_officer_at_end then 1 else 0 end as units_with_officer_count
    from per_unit

    union all

    select * from department

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
        cast(units.unit_type as {{ string_type() }}) as unit_type,
        cast(all_rows.existing_days as bigint) as existing_days,
        cast(all_rows.covered_days as bigint) as covered_days,
        {{ pct('all_rows.covered_days', 'all_rows.existing_days') }} as covered_days_pct,
        all_rows.has_officer_at_end,
        cast(all_rows.units_count as bigint) as units_count,
        cast(all_rows.units_with_officer_count as bigint) as units_with_officer_count,
        cast(all_rows.units_count - all_rows.units_with_officer_count as bigint) as units_without_officer_count,
        {{ pct('all_rows.units_with_officer_count', 'all_rows.units_count') }} as units_with_officer_pct,
        cast(all_rows.changes_count as bigint) as changes_count,
        all_rows.as_of_date

    from all_rows
    left join units
        on all_rows.unit_code = units.unit_code

)

select * from final
