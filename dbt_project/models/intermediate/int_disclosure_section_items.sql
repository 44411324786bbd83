-- The items of the saved school sites that belong to a required disclosure section (reference.disclosure_sections):
-- a keyword found in the item's text as whole words (accents and case ignored, macro title_key) or a URL pattern found
-- in its link. Each item gets its school year (the label written beside it, yyyy-yyyy with consecutive years, else the
-- school year of its date: one starting in school_year_start_month) and the site's unit in the registry.
with

items as (

    select * from {{ ref('stg_disclosure__items') }}

),

sections as (

    select * from {{ ref('disclosure_sections') }}

),

disclosure_reference as (

    select * from {{ ref('disclosure_reference') }}

),

unit_registry as (

    select * from {{ ref('unit_registry') }}

),

rules as (

    select section_id, 'keyword' as rule_kind, trim(word) as rule_text, {{ words_key('word') }} as rule_key
    from (select section_id, {{ split_to_rows('keywords', ';') }} as word from sections)

    union all

    select section_id, 'url', trim(pattern), nullif(lower(trim(pattern)), '')
    from (select section_id, {{ split_to_rows('url_patterns', ';') }} as pattern from sections)

),

matched as (

    select
        items.*,
        rules.section_id,
        {{ arg_max("rules.rule_kind || ': ' || rules.rule_text", 'length(rules.rule_key)') }} as matched_rule

    from items
    inner join rules
        on rules.rule_key is not null
        and (
            (rules.rule_kind = 'keyword'
                and contains(' ' || coalesce({{ words_key('items.item_text') }}, '') || ' ', ' ' || rules.rule_key || ' '))
            or (rules.rule_kind = 'url' and contains(lower(coalesce(items.href, '')), rules.rule_key))
        )
    group by all

),

-- a registered site, else the registered unit whose site the school's host sits under (a school of a district office)
site_units as (

    select
        hosts.site_host,
        {{ arg_max('unit_registry.unit_code', 'length(unit_registry.site_host)') }} as site_unit_code

    from (select distinct site_host from items) as hosts
    inner join unit_registry
        on hosts.site_host = lower(unit_registry.site_host)
        or hosts.site_host like '%.' || lower(unit_registry.site_host)
    group by hosts.site_host

),

years as (

    select
        matched.*,
        coalesce(
            case
                when cast(right(matched.school_year_label, 4) as integer)
                    = cast(left(matched.school_year_label, 4) as integer) + 1
                    then cast(left(matched.school_year_label, 4) as integer)
            end,
            year(matched.published_on)
                - case when month(matched.published_on) < disclosure_reference.school_year_start_month then 1 else 0 end
        ) as school_year_start

    from matched
    cross join disclosure_reference

),

final as (

    select
        years.site_host,
        site_units.site_unit_code,
        coalesce(nullif(trim(unit_registry.parent_code), ''), site_units.site_unit_code) as reporting_unit_code,
        years.section_id,
        years.matched_rule,
        years.item_kind,
        years.item_text,
        years.href,
        years.linked_file,
        years.linked_file_present,
        years.item_kind = 'page' or years.linked_file_present is distinct from false as is_reachable,
        years.school_year_label,
        years.published_on,
        cast(years.school_year_start as integer) as school_year_start,
        case
            when years.school_year_start is not null
                then cast(years.school_year_start as {{ string_type() }}) || '-' || cast(years.school_year_start + 1 as {{ string_type() }})
        end as school_year,
        years.source_file,
        years.source_line

    from years
    left join site_units
        on site_units.site_host = years.site_host
    left join unit_registry
        on unit_registry.unit_code = site_units.site_unit_code

)

select * from final
