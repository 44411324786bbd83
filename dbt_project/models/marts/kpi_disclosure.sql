-- Public disclosure per school site and school year: sections published on time, late, missing (broken links count as
-- missing: the document cannot be read); complete = every required section published, on time or late.
with

sections as (

    select * from {{ ref('fct_disclosure_sections') }}

),

final as (

    select
        cast(site_host as {{ string_type() }}) as site_host,
        cast(any_value(site_unit_code) as {{ string_type() }}) as site_unit_code,
        cast(any_value(reporting_unit_code) as {{ string_type() }}) as reporting_unit_code,
        cast(any_value(reporting_unit_name) as {{ string_type() }}) as reporting_unit_name,
        cast(school_year as {{ string_type() }}) as school_year,
        cast(any_value(deadline) as date) as deadline,
        cast(count(*) as integer) as sections_required,
        cast(count(*) filter (where section_status in ('on_time', 'late')) as integer) as sections_present,
        cast(count(*) filter (where section_status = 'late') as integer) as sections_late,
        cast(count(*) filter (where section_status in ('missing', 'broken_link')) as integer) as sections_missing,
        cast(count(*) filter (where section_status = 'broken_link') as integer) as sections_broken_link,
        cast({{ string_agg_ordered('section_name', '; ', ['section_id']) }} filter (where section_status in ('missing', 'broken_link'))
            as {{ string_type() }}) as missing_sections,
        cast(count(*) filter (where section_status in ('missing', 'broken_link')) = 0 as boolean) as is_complete

    from sections
    group by site_host, school_year

)

select * from final
