-- Units of the education sector with their validity dates and quarterly article quota (slowly changing registry).
with

unit_registry as (

    select * from {{ ref('unit_registry') }}

),

unit_type_quota as (

    select * from {{ ref('unit_type_quota') }}

),

final as (

    select
        cast(unit_registry.unit_code as {{ string_type() }}) as unit_code,
        cast(unit_registry.unit_name as {{ string_type() }}) as unit_name,
        cast(unit_registry.unit_type as {{ string_type() }}) as unit_type,
        cast(nullif(trim(unit_registry.parent_code), '') as {{ string_type() }}) as parent_code,
        cast(unit_registry.valid_from as date) as valid_from,
        cast(unit_registry.valid_to as date) as valid_to,
        cast(nullif(lower(trim(unit_registry.site_host)), '') as {{ string_type() }}) as site_host,
        cast(coalesce(unit_type_quota.quota_articles_per_quarter, 0) as integer) as quota_articles_per_quarter

    from unit_registry
    left join unit_type_quota
        on unit_registry.unit_type = unit_type_quota.unit_type

)

select * from final
