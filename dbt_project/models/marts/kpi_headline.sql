-- The headline figures of the reports, one row per period and metric, with the previous period and the target,
-- so that no report computes a KPI.
with

quota_fulfilment as (

    select * from {{ ref('kpi_quota_fulfilment') }}

),

feedback_response as (

    select * from {{ ref('kpi_feedback_response') }}

),

portal_monthly as (

    select * from {{ ref('kpi_portal_monthly') }}

),

submissions as (

    select * from {{ ref('int_article_submissions_deduplicated') }}

),

quota_metrics as (

    -- target: every district office that existed in the quarter meets its quota
    select
        'quarter' as period_grain,
        quarter_start as period_start,
        'district_offices_meeting_quota' as metric,
        count(*) filter (where unit_type = 'district_office' and quota_met) as value,
        count(*) filter (where unit_type = 'district_office') as target,
        true as higher_is_better

    from quota_fulfilment
    group by quarter_start
    having count(*) filter (where unit_type = 'district_office') > 0

    union all

    select
        'quarter',
        quarter_start,
        'units_meeting_quota_pct',
        {{ pct('count(*) filter (where quota_met)', 'count(*)') }},
        100,
        true

    from quota_fulfilment
    group by quarter_start

),

feedback_metrics as (

    select period_grain, period_start, 'feedback_received' as metric, received_count as value,
        null as target, cast(null as boolean) as higher_is_better
    from feedback_response
    where unit_code is null

    union all

    -- the law sets the deadline for every ticket, so the target is all of them (var to change it)
    select period_grain, period_start, 'feedback_within_sla_pct', answered_within_sla_pct,
        {{ var('feedback_within_sla_target_pct', 100) }}, true
    from feedback_response
    where unit_code is null

    union all

    select period_grain, period_start, 'feedback_open_overdue', open_overdue_count, 0, false
    from feedback_response
    where unit_code is null

),

portal_metrics as (

    select 'month' as period_grain, month_start as period_start, 'portal_pageviews' as metric, pageviews as value,
        null as target, true as higher_is_better
    from portal_monthly
    where site is null

    union all

    select 'quarter', cast(date_trunc('quarter', month_start) as date), 'portal_pageviews', sum(pageviews), null, true
    from portal_monthly
    where site is null
    group by all

),

published_articles as (

    select cast(published_at as date) as published_date
    from submissions
    where status = 'published'
        and published_at is not null

),

-- months and quarters from the first submission to the last submission or publication, empty ones included
article_bounds as (

    select
        min(cast(submitted_at as date)) as first_date,
        greatest(max(cast(submitted_at as date)), max(cast(published_at as date))) as last_date

    from submissions

),

article_periods as (

    select
        'month' as period_grain,
        {{ period_starts("date_trunc('month', first_date)", "date_trunc('month', last_date)", 1) }} as period_start
    from article_bounds

    union all

    select
        'quarter',
        {{ period_starts("date_trunc('quarter', first_date)", "date_trunc('quarter', last_date)", 3) }}
    from article_bounds

),

article_metrics as (

    -- articles published during the period (by publication date)
    select
        article_periods.period_grain,
        article_periods.period_start,
        'articles_published' as metric,
        count(published_articles.published_date) as value,
        null as target,
        true as higher_is_better

    from article_periods
    left join published_articles
        on published_articles.published_date >= article_periods.period_start
        and published_articles.published_date < {{ add_months(
            'article_periods.period_start', "case when article_periods.period_grain = 'month' then 1 else 3 end"
        ) }}
    group by all

),

metrics as (

    select * from quota_metrics
    union all
    select * from feedback_metrics
    union all
    select * from portal_metrics
    union all
    select * from article_metrics

),

with_previous as (

    select
        metrics.*,
        previous_period.value as previous_value

    from metrics
    left join metrics as previous_period
        on previous_period.metric = metrics.metric
        and previous_period.period_grain = metrics.period_grain
        and previous_period.period_start = cast(
            {{ add_months('metrics.period_start', "case when metrics.period_grain = 'month' then -1 else -3 end") }}
            as date
        )

),

final as (

    select
        cast(period_grain as {{ string_type() }}) as period_grain,
        cast(
            case
                when period_grain = 'month' then {{ month_label('period_start') }}
                else {{ quarter_label('period_start') }}
            end as {{ string_type() }}
        ) as period,
        cast(period_start as date) as period_start,
        cast(metric as {{ string_type() }}) as metric,
        cast(value as double) as value,
        cast(previous_value as double) as previous_value,
        -- values carry at most 1 decimal; rounding keeps 100.0 - 66.7 at 33.3
        cast(round(value - previous_value, 1) as double) as change,
        cast(target as double) as target,
        case
            when target is null or value is null then null
            when higher_is_better then value >= target
            else value <= target
        end as meets_target,
        cast(higher_is_better as boolean) as higher_is_better

    from with_previous

)

select * from final
