-- The reports show articles "published" in two senses and "submitted" in two: each must add up with the other.
-- 1. Published by publication date: kpi_headline.articles_published of a quarter = the department's
--    kpi_publication_pipeline.published_in_quarter.
-- 2. Per unit and quarter of submission: kpi_quota_fulfilment.articles_submitted = pipeline submitted - withdrawn,
--    and kpi_quota_fulfilment.articles_published = pipeline published.
-- 3. Every published article with a date is counted once in each sense: over all quarters, the department's published
--    (by submission quarter) = published_in_quarter (by publication date) + published articles without a date.
with

headline as (

    select period as quarter, value
    from {{ ref('kpi_headline') }}
    where period_grain = 'quarter' and metric = 'articles_published'

),

pipeline as (

    select * from {{ ref('kpi_publication_pipeline') }}

),

quota as (

    select * from {{ ref('kpi_quota_fulfilment') }}

),

undated_published as (

    select count(*) as articles
    from {{ ref('int_article_submissions_deduplicated') }}
    where status = 'published' and published_at is null

),

by_publication_date as (

    select
        'headline vs published_in_quarter' as check_name,
        coalesce(headline.quarter, pipeline.quarter) as quarter,
        cast(null as {{ string_type() }}) as unit_code,
        headline.value as left_value,
        pipeline.published_in_quarter as right_value

    from headline
    full outer join (select * from pipeline where unit_code is null) as pipeline
        on headline.quarter = pipeline.quarter
    where coalesce(headline.value, 0) <> coalesce(pipeline.published_in_quarter, 0)

),

quota_vs_pipeline as (

    select
        'quota submitted vs pipeline' as check_name,
        quota.quarter,
        quota.unit_code,
        quota.articles_submitted as left_value,
        coalesce(pipeline.submitted_not_withdrawn, 0) as right_value

    from quota
    left join pipeline
        on quota.quarter = pipeline.quarter
        and quota.unit_code = pipeline.unit_code
    where quota.articles_submitted <> coalesce(pipeline.submitted_not_withdrawn, 0)
        or quota.articles_published <> coalesce(pipeline.published, 0)

),

totals as (

    select
        'published totals' as check_name,
        cast(null as {{ string_type() }}) as quarter,
        cast(null as {{ string_type() }}) as unit_code,
        sum(published) as left_value,
        sum(published_in_quarter) + max(undated_published.articles) as right_value

    from pipeline
    cross join undated_published
    where pipeline.unit_code is null
    having sum(published) <> sum(published_in_quarter) + max(undated_published.articles)

)

select * from by_publication_date
union all
select * from quota_vs_pipeline
union all
select * from totals
