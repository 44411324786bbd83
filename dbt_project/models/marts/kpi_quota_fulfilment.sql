-- Articles submitted against the quarterly quota, per unit and quarter, for every unit that existed in the quarter
-- and has a quota; quarters from the first one in the submissions to the one of the as-of date.
with

submissions as (

    select * from {{ ref('int_article_submissions_deduplicated') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

bounds as (

    select
        cast(min(submitted_at) as date) as first_date,
        -- the latest day in the submissions data (or the as_of_date var of the reminders): the running quarter is
        -- judged as of this day
        cast({{ as_of_date('max(submitted_at)') }} as date) as as_of_date

    from submissions

),

quarters as (

    select
        cast(quarter_start as date) as quarter_start,
        cast(quarter_start + interval 3 month - interval 1 day as date) as quarter_end,
        as_of_date

    from (
        select
            {{ period_starts('quarter', 'first_date', 'as_of_date') }} as quarter_start,
            as_of_date
        from bounds
    )

),

-- a unit is held to its quota in every quarter it existed on at least one day
unit_quarters as (

    select
        units.unit_code,
        units.unit_name,
        units.unit_type,
        units.quota_articles_per_quarter as quota,
        quarters.quarter_start,
        quarters.quarter_end,
        quarters.as_of_date

    from units
    inner join quarters
        on units.valid_from <= quarters.quarter_end
        and (units.valid_to is null or units.valid_to >= quarters.quarter_start)
    where units.quota_articles_per_quarter > 0

),

submitted as (

    select
        unit_code,
        cast(date_trunc('quarter', submitted_at) as date) as quarter_start,
        count(distinct submission_id) as articles_submitted,
        count(distinct submission_id) filter (where status = 'published') as articles_published

    from submissions
    cross join bounds
    where status <> 'withdrawn'
        and unit_code is not null
        and cast(submitted_at as date) <= bounds.as_of_date
    group by all

),

measured as (

    select
        unit_quarters.*,
        coalesce(submitted.articles_submitted, 0) as articles_submitted,
        coalesce(submitted.articles_published, 0) as articles_published,
        unit_quarters.as_of_date < unit_quarters.quarter_end as is_running,
        {{ days_between('unit_quarters.quarter_start', 'unit_quarters.as_of_date') }} + 1 as days_elapsed,
        {{ days_between('unit_quarters.quarter_start', 'unit_quarters.quarter_end') }} + 1 as days_in_quarter

    from unit_quarters
    left join submitted
        on unit_quarters.unit_code = submitted.unit_code
        and unit_quarters.quarter_start = submitted.quarter_start

),

projected as (

    select
        *,
        case
            when is_running then articles_submitted * 1.0 / days_elapsed * days_in_quarter
        end as projected_articles_exact

    from measured

),

-- the status every report shows: a running quarter already met, on track or at risk; a complete one met or not
assessed as (

    select
        *,
        case
            when is_running and articles_submitted >= quota then 'running_met'
            when is_running and projected_articles_exact >= quota then 'on_track'
            when is_running then 'at_risk'
            when articles_submitted >= quota then 'met'
            else 'not_met'
        end as quota_status

    from projected

),

final as (

    select
        cast(unit_code as {{ string_type() }}) as unit_code,
        cast(unit_name as {{ string_type() }}) as unit_name,
        cast(unit_type as {{ string_type() }}) as unit_type,
        cast({{ quarter_label('quarter_start') }} as {{ string_type() }}) as quarter,
        quarter_start,
        quarter_end,
        cast(quota as integer) as quota,
        cast(articles_submitted as bigint) as articles_submitted,
        cast(articles_published as bigint) as articles_published,
        articles_submitted >= quota as quota_met,
        cast(case when is_running then 'running' else 'complete' end as {{ string_type() }}) as quarter_status,
        cast(round(projected_articles_exact, 1) as double) as projected_articles,
        cast(
            case
                when is_running and projected_articles_exact >= quota then 'on_track'
                when is_running then 'at_risk'
                when articles_submitted >= quota then 'met'
                else 'not_met'
            end as {{ string_type() }}
        ) as projection,
        as_of_date,
        cast(quota_status as {{ string_type() }}) as quota_status,
        quota_status in ('not_met', 'at_risk') as is_behind_quota

    from assessed

)

select * from final
