-- Public disclosure per district office (the unit a school's site belongs to: its parent in the registry, or the
-- registered unit whose site it is or sits under) and school year: the share of its schools' sites that are complete.
with

schools as (

    select * from {{ ref('kpi_disclosure') }}

),

final as (

    select
        cast(reporting_unit_code as {{ string_type() }}) as reporting_unit_code,
        cast(any_value(reporting_unit_name) as {{ string_type() }}) as reporting_unit_name,
        cast(school_year as {{ string_type() }}) as school_year,
        cast(any_value(deadline) as date) as deadline,
        cast(count(*) as integer) as schools,
        cast(count(*) filter (where is_complete) as integer) as schools_complete,
        {{ pct('count(*) filter (where is_complete)', 'count(*)') }} as schools_complete_pct,
        cast(sum(sections_missing) as integer) as sections_missing,
        cast(sum(sections_late) as integer) as sections_late

    from schools
    group by reporting_unit_code, school_year

)

select * from final
