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

social_monthly as (

    select * from {{ ref('kpi_social_monthly') }}

),

social_crossposting as (

    select * from {{ ref('kpi_social_crossposting') }}

),

social_moderation as (

    select * from {{ ref('kpi_social_moderation') }}

),

listening_daily as (

    select * from {{ ref('kpi_listening_daily') }}

),

incidents_quarterly as (

    select * from {{ ref('kpi_incidents') }}

),

monthly_reports as (

    select * from {{ ref('kpi_monthly_reports') }}


),

press_response as (

    select * from {{ ref('kpi_press_response') }}

),

press_events as (

    select * from {{ ref('kpi_press_events') }}

),

officer_coverage as (

    select * from {{ ref('kpi_officer_coverage') }}

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

    select 'month' as period_grain, {{ period_starts('month', 'first_date', 'last_date') }} as period_start
    from article_bounds

    union all

    select 'quarter', {{ period_starts('quarter', 'first_date', 'last_date') }}
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
        and published_articles.published_date < article_periods.period_start
            + {{ period_length('article_periods.period_grain') }}
    group by all

),

social_metrics as (

    select 'month' as period_grain, month_start as period_start, 'social_posts' as metric, sum(posts) as value,
        null as target, true as higher_is_better
    from social_monthly
    group by all

    union all

    select 'quarter', cast(date_trunc('quarter', month_start) as date), 'social_posts', sum(posts), null, true
    from social_monthly
    group by all

    union all

    select 'month', month_start, 'social_crossposted_pct', shared_any_pct, null, true
    from social_crossposting

    union all

    select 'quarter', cast(date_trunc('quarter', month_start) as date), 'social_crossposted_pct',
        {{ pct('sum(shared_any_count)', 'sum(portal_articles)') }}, null, true
    from social_crossposting
    group by all

    union all

    -- comments flagged as prohibited or false must all be handled within the window (var to change the target)
    select 'month', month_start, 'moderation_within_window_pct', handled_within_window_pct,
        {{ var('moderation_within_window_target_pct', 100) }}, true
    from social_moderation
    where channel is null

    union all

    -- not `group by all`: Spark would group by the target too, an integer literal, which it reads as a column position
    select 'quarter', cast(date_trunc('quarter', month_start) as date), 'moderation_within_window_pct',
        {{ pct('sum(handled_within_window_count)', 'sum(flagged_count)') }},
        {{ var('moderation_within_window_target_pct', 100) }}, true
    from social_moderation
    where channel is null
    group by cast(date_trunc('quarter', month_start) as date)

),

issues_metrics as (

    select 'month' as period_grain, cast(date_trunc('month', mention_date) as date) as period_start,
        'listening_mentions' as metric, sum(mention_count) as value, null as target, cast(null as boolean) as higher_is_better
    from listening_daily
    where source_type is null
    group by all

    union all

    select 'quarter', cast(date_trunc('quarter', mention_date) as date), 'listening_mentions', sum(mention_count), null,
        cast(null as boolean)
    from listening_daily
    where source_type is null
    group by all

    union all

    -- every spike is a candidate incident: the target is none left unreviewed
    select 'quarter', quarter_start, 'listening_spikes_without_incident', spikes_without_incident, 0, false
    from incidents_quarterly

    union all

    select 'quarter', quarter_start, 'incident_median_hours_to_first_response', median_hours_to_first_response, null,
        false
    from incidents_quarterly

    union all

    -- every division reports every month on time (var to change the target); months not yet due are left out
    select 'month', month_start, 'monthly_reports_on_time_pct',
        {{ pct("count(*) filter (where status = 'on_time')", "count(*) filter (where status <> 'not_due')") }},
        {{ var('monthly_reports_on_time_target_pct', 100) }}, true
    from monthly_reports
    group by month_start

    union all

    select 'quarter', cast(date_trunc('quarter', month_start) as date), 'monthly_reports_on_time_pct',
        {{ pct("count(*) filter (where status = 'on_time')", "count(*) filter (where status <> 'not_due')") }},
        {{ var('monthly_reports_on_time_target_pct', 100) }}, true
    from monthly_reports
    group by cast(date_trunc('quarter', month_start) as date)

),

press_metrics as (

    select period_grain, period_start, 'press_received' as metric, received_count as value,
        null as target, cast(null as boolean) as higher_is_better
    from press_response
    where unit_code is null

    union all

    -- every press request has a deadline in force (seed press_deadlines), so the target is all of them (var to change it)
    select period_grain, period_start, 'press_within_deadline_pct', answered_within_deadline_pct,
        {{ var('press_within_deadline_target_pct', 100) }}, true
    from press_response
    where unit_code is null

    union all

    select 'quarter', quarter_start, 'press_leadership_events',
        leadership_led_events, null, true
    from press_events
    where event_type is null

    union all

    -- plan IV.3: every unit that must name a communication officer has one (var to change the target)
    select period_grain, period_start, 'officer_units_with_officer_pct', units_with_officer_pct,
        {{ var('officer_units_with_officer_target_pct', 100) }}, true
    from officer_coverage
    where unit_code is null

),

metrics as (

    select * from quota_metrics
    union all
    select * from feedback_metrics
    union all
    select * from portal_metrics
    union all
    select * from article_metrics
    union all
    select * from social_metrics
    union all
    select * from issues_metrics
    union all
    select * from press_metrics

),

-- the latest day the data covers (feedback, submissions): a period ending after it is still running
as_of as (

    select greatest(
        (select max(as_of_date) from feedback_response),
        (select max(as_of_date) from quota_fulfilment)
    ) as as_of_date

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
            metrics.period_start - {{ period_length('metrics.period_grain') }}
            as date
        )

),

final as (

    select
        cast(period_grain as {{ string_type() }}) as period_grain,
        cast({{ period_label('period_grain', 'period_start') }} as {{ string_type() }}) as period,
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
        cast(higher_is_better as boolean) as higher_is_better,
        as_of.as_of_date,
        coalesce(
            as_of.as_of_date < cast(period_start + {{ period_length('period_grain') }} - interval 1 day as date), false
        ) as is_running

    from with_previous
    cross join as_of

)

select * from final
