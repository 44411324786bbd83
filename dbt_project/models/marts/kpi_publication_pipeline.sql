-- The article pipeline per unit and for the whole department (unit_code NULL), by quarter of submission.
with

submissions as (

    select * from {{ ref('int_article_submissions_deduplicated') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

dated as (

    select
        *,
        cast(date_trunc('quarter', submitted_at) as date) as quarter_start,
        case
            when status = 'published' and published_at is not null
                then {{ days_between('cast(submitted_at as date)', 'cast(published_at as date)') }}
        end as days_to_publication

    from submissions

),

aggregated as (

    select
        quarter_start,
        unit_code,
        grouping(unit_code) = 1 as is_department,
        count(*) as submitted,
        count(*) filter (where status = 'selected') as selected,
        count(*) filter (where status = 'published') as published,
        count(*) filter (where status = 'rejected') as rejected,
        count(*) filter (where status = 'withdrawn') as withdrawn,
        {{ quantile_cont('days_to_publication', 0.5) }} as median_days_to_publication,
        count(*) filter (where status = 'published' and published_channel = 'portal') as published_portal,
        count(*) filter (where status = 'published' and published_channel = 'press') as published_press,
        count(*) filter (where status = 'published' and published_channel = 'ministry') as published_ministry

    from dated
    group by grouping sets ((quarter_start, unit_code), (quarter_start))

),

-- department rows for every quarter from the first submission to the as-of date, empty quarters included
department_quarters as (

    select
        {{ period_starts("date_trunc('quarter', first_submitted_at)", "date_trunc('quarter', last_submitted_at)", 3) }}
            as quarter_start

    from (
        select min(submitted_at) as first_submitted_at, max(submitted_at) as last_submitted_at
        from submissions
    )

),

department_rows as (

    select
        department_quarters.quarter_start,
        aggregated.unit_code,
        aggregated.is_department,
        aggregated.submitted,
        aggregated.selected,
        aggregated.published,
        aggregated.rejected,
        aggregated.withdrawn,
        aggregated.median_days_to_publication,
        aggregated.published_portal,
        aggregated.published_press,
        aggregated.published_ministry

    from department_quarters
    left join aggregated
        on aggregated.is_department
        and department_quarters.quarter_start = aggregated.quarter_start

),

-- submissions whose sender matched no unit count for the department only
unit_rows as (

    select *
    from aggregated
    where not is_department
        and unit_code is not null

),

all_rows as (

    select * from unit_rows
    union all
    select * from department_rows

),

final as (

    select
        cast({{ quarter_label('all_rows.quarter_start') }} as {{ string_type() }}) as quarter,
        all_rows.quarter_start,
        cast(all_rows.unit_code as {{ string_type() }}) as unit_code,
        cast(
            case when all_rows.unit_code is null then {{ department_label() }} else units.unit_name end as {{ string_type() }}
        ) as unit_name,
        cast(coalesce(all_rows.submitted, 0) as bigint) as submitted,
        cast(coalesce(all_rows.selected, 0) as bigint) as selected,
        cast(coalesce(all_rows.published, 0) as bigint) as published,
        cast(coalesce(all_rows.rejected, 0) as bigint) as rejected,
        cast(coalesce(all_rows.withdrawn, 0) as bigint) as withdrawn,
        {{ pct('coalesce(all_rows.selected, 0) + coalesce(all_rows.published, 0)',
               'coalesce(all_rows.submitted, 0) - coalesce(all_rows.withdrawn, 0)') }} as selection_rate_pct,
        cast(all_rows.median_days_to_publication as double) as median_days_to_publication,
        cast(coalesce(all_rows.published_portal, 0) as bigint) as published_portal,
        cast(coalesce(all_rows.published_press, 0) as bigint) as published_press,
        cast(coalesce(all_rows.published_ministry, 0) as bigint) as published_ministry

    from all_rows
    left join units
        on all_rows.unit_code = units.unit_code

)

select * from final
