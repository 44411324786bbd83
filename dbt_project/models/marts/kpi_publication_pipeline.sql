-- The article pipeline per unit and for the whole department (unit_code NULL), by quarter of submission; plus
-- published_in_quarter, the articles published during the quarter whatever quarter they were sent in (the count
-- kpi_headline.articles_published gives), so that the two "published" figures of a report can be told apart and
-- reconciled (tests/assert_article_counts_reconcile.sql).
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
        {{ is_department_row() }} as is_department,
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
    group by {{ group_by_unit_and_department(['quarter_start']) }}

),

published_by_date as (

    select
        cast(date_trunc('quarter', published_at) as date) as quarter_start,
        unit_code,
        grouping(unit_code) = 1 as is_department,
        count(*) as published_in_quarter

    from submissions
    where status = 'published'
        and published_at is not null
    group by grouping sets ((cast(date_trunc('quarter', published_at) as date), unit_code),
                            (cast(date_trunc('quarter', published_at) as date)))

),

-- a unit can publish in a quarter in which it sent nothing: its row then comes from the publications alone
combined as (

    select
        coalesce(aggregated.quarter_start, published_by_date.quarter_start) as quarter_start,
        coalesce(aggregated.unit_code, published_by_date.unit_code) as unit_code,
        coalesce(aggregated.is_department, published_by_date.is_department) as is_department,
        {{ star_except(['quarter_start', 'unit_code', 'is_department'], 'aggregated') }},
        published_by_date.published_in_quarter

    from aggregated
    full outer join published_by_date
        on aggregated.quarter_start = published_by_date.quarter_start
        and aggregated.is_department = published_by_date.is_department
        and aggregated.unit_code is not distinct from published_by_date.unit_code

),

-- department rows for every quarter from the first submission to the last submission or publication, empty quarters
-- included (the same quarters kpi_headline.articles_published has)
department_quarters as (

    select {{ period_starts('quarter', 'min(submitted_at)', 'greatest(max(submitted_at), max(published_at))') }} as quarter_start

    from submissions

),

-- units, and the department for every quarter (submissions whose sender matched no unit count for the department only)
all_rows as (

    {{ unit_and_department_rows('combined', 'department_quarters', ['quarter_start']) }}

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
        cast(coalesce(all_rows.submitted, 0) - coalesce(all_rows.withdrawn, 0) as bigint) as submitted_not_withdrawn,
        {{ pct('coalesce(all_rows.selected, 0) + coalesce(all_rows.published, 0)',
               'coalesce(all_rows.submitted, 0) - coalesce(all_rows.withdrawn, 0)') }} as selection_rate_pct,
        cast(all_rows.median_days_to_publication as double) as median_days_to_publication,
        cast(coalesce(all_rows.published_portal, 0) as bigint) as published_portal,
        cast(coalesce(all_rows.published_press, 0) as bigint) as published_press,
        cast(coalesce(all_rows.published_ministry, 0) as bigint) as published_ministry,
        cast(coalesce(all_rows.published_in_quarter, 0) as bigint) as published_in_quarter

    from all_rows
    left join units
        on all_rows.unit_code = units.unit_code

)

select * from final
