-- Every required disclosure section of every saved school site in every school year found on the sites, with what was
-- found: on_time (a reachable page or link, dated by the deadline or undated), late (reachable, but every dated item
-- after the deadline), broken_link (only links to files that were not saved), missing (nothing).
with

items as (

    select * from {{ ref('int_disclosure_section_items') }}

),

all_items as (

    select * from {{ ref('stg_disclosure__items') }}

),

sections as (

    select * from {{ ref('disclosure_sections') }}

),

disclosure_reference as (

    select * from {{ ref('disclosure_reference') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

-- every site saved, also one where no section was found
sites as (

    select
        all_items.site_host,
        any_value(items.site_unit_code) as site_unit_code,
        any_value(items.reporting_unit_code) as reporting_unit_code

    from (select distinct site_host from all_items) as all_items
    left join items
        on items.site_host = all_items.site_host
    group by all_items.site_host

),

school_years as (

    select distinct school_year_start
    from items
    where school_year_start is not null

),

found as (

    select
        items.site_host,
        items.section_id,
        items.school_year_start,
        count(*) as items_found,
        count(*) filter (where is_reachable) as items_reachable,
        count(*) filter (
            where is_reachable
                and (published_on is null
                    or published_on <= make_date(school_year_start + 1, disclosure_reference.deadline_month,
                        disclosure_reference.deadline_day))
        ) as items_on_time,
        min(published_on) filter (where is_reachable) as first_published_on,
        {{ arg_min("source_file || ':' || cast(source_line as " ~ string_type() ~ ")",
                   "source_file || lpad(cast(source_line as " ~ string_type() ~ "), 9, '0')") }}
            as first_found_at

    from items
    cross join disclosure_reference
    where items.school_year_start is not null
    group by all

),

final as (

    select
        cast(sites.site_host as {{ string_type() }}) as site_host,
        cast(sites.site_unit_code as {{ string_type() }}) as site_unit_code,
        cast(sites.reporting_unit_code as {{ string_type() }}) as reporting_unit_code,
        cast(units.unit_name as {{ string_type() }}) as reporting_unit_name,
        cast(school_years.school_year_start || '-' || (school_years.school_year_start + 1) as {{ string_type() }}) as school_year,
        cast(make_date(school_years.school_year_start + 1, disclosure_reference.deadline_month,
            disclosure_reference.deadline_day) as date) as deadline,
        cast(sections.section_id as {{ string_type() }}) as section_id,
        cast(sections.section_name as {{ string_type() }}) as section_name,
        cast(coalesce(found.items_found, 0) as bigint) as items_found,
        cast(coalesce(found.items_reachable, 0) as bigint) as items_reachable,
        cast(
            case
                when coalesce(found.items_on_time, 0) > 0 then 'on_time'
                when coalesce(found.items_reachable, 0) > 0 then 'late'
                when coalesce(found.items_found, 0) > 0 then 'broken_link'
                else 'missing'
            end as {{ string_type() }}
        ) as section_status,
        cast(found.first_published_on as date) as first_published_on,
        cast(found.first_found_at as {{ string_type() }}) as first_found_at

    from sites
    cross join school_years
    cross join sections
    cross join disclosure_reference
    left join found
        on found.site_host = sites.site_host
        and found.section_id = sections.section_id
        and found.school_year_start = school_years.school_year_start
    left join units
        on units.unit_code = sites.reporting_unit_code

)

select * from final
