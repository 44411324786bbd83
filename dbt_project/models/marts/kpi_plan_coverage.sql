-- How well each item of the communications plan was covered, per item and quarter: every item of reference.plan_items
-- in each of the four quarters of its plan year, also with no article. Articles by channel from int_plan_item_tags;
-- an item is due in a quarter by its period (macro plan_item_due_in); "nothing while due" is judged only for quarters
-- begun by the as-of date (macro as_of_date, default the latest article day).
with

plan_items as (

    select * from {{ ref('plan_items') }}

),

tags as (

    select * from {{ ref('int_plan_item_tags') }}

),

bounds as (

    select {{ as_of_date('(select max(article_date) from tags)') }} as as_of_date

),

item_quarters as (

    select
        plan_items.plan_year,
        plan_items.item_id as plan_item_id,
        plan_items.area,
        plan_items.topic,
        plan_items.period,
        plan_items.lead_unit,
        plan_items.lead_unit_code,
        quarter_number,
        make_date(plan_items.plan_year, 3 * quarter_number - 2, 1) as quarter_start,
        {{ plan_item_due_in('plan_items.period', 'quarter_number') }} as is_due

    from plan_items
    cross join (select 1 as quarter_number union all select 2 union all select 3 union all select 4) as quarters

),

counted as (

    select
        plan_year,
        plan_item_id,
        cast(date_trunc('quarter', article_date) as date) as quarter_start,
        count(*) filter (where channel = 'submission') as articles_submitted,
        count(*) filter (where channel = 'submission' and is_on_portal) as articles_on_portal,
        count(*) filter (where channel = 'facebook') as facebook_posts,
        count(*) filter (where channel = 'zalo') as zalo_posts,
        count(*) as articles_total,
        count(*) filter (where tag_method = 'explicit') as articles_explicit,
        count(*) filter (where tag_method = 'keyword') as articles_by_keyword

    from tags
    where is_item_of_plan
    group by all

),

lead_counted as (

    select
        tags.plan_year,
        tags.plan_item_id,
        cast(date_trunc('quarter', tags.article_date) as date) as quarter_start,
        count(*) as lead_unit_articles

    from tags
    inner join plan_items
        on plan_items.plan_year = tags.plan_year
        and plan_items.item_id = tags.plan_item_id
    where tags.channel = 'submission'
        and tags.unit_code = plan_items.lead_unit_code
    group by all

),

final as (

    select
        cast(item_quarters.plan_year as integer) as plan_year,
        cast(item_quarters.plan_item_id as {{ string_type() }}) as plan_item_id,
        cast(item_quarters.area as {{ string_type() }}) as area,
        cast(item_quarters.topic as {{ string_type() }}) as topic,
        cast(item_quarters.period as {{ string_type() }}) as period,
        cast({{ quarter_label('item_quarters.quarter_start') }} as {{ string_type() }}) as quarter,
        cast(item_quarters.quarter_start as date) as quarter_start,
        cast(item_quarters.quarter_start + interval 3 month - interval 1 day as date) as quarter_end,
        cast(item_quarters.is_due as boolean) as is_due,
        cast(
            case
                when bounds.as_of_date is null or bounds.as_of_date < item_quarters.quarter_start then 'future'
                when bounds.as_of_date < item_quarters.quarter_start + interval 3 month - interval 1 day then 'running'
                else 'complete'
            end as {{ string_type() }}
        ) as quarter_status,
        cast(item_quarters.lead_unit as {{ string_type() }}) as lead_unit,
        cast(item_quarters.lead_unit_code as {{ string_type() }}) as lead_unit_code,
        cast(coalesce(counted.articles_submitted, 0) as bigint) as articles_submitted,
        cast(coalesce(counted.articles_on_portal, 0) as bigint) as articles_on_portal,
        cast(coalesce(counted.facebook_posts, 0) as bigint) as facebook_posts,
        cast(coalesce(counted.zalo_posts, 0) as bigint) as zalo_posts,
        cast(coalesce(counted.articles_total, 0) as bigint) as articles_total,
        cast(coalesce(counted.articles_explicit, 0) as bigint) as articles_explicit,
        cast(coalesce(counted.articles_by_keyword, 0) as bigint) as articles_by_keyword,
        cast(coalesce(lead_counted.lead_unit_articles, 0) as bigint) as lead_unit_articles,
        case
            when item_quarters.lead_unit_code is not null
                then {{ pct('coalesce(lead_counted.lead_unit_articles, 0)', 'counted.articles_submitted') }}
        end as lead_unit_share_pct,
        cast(
            item_quarters.is_due
            and coalesce(bounds.as_of_date >= item_quarters.quarter_start, false)
            and coalesce(counted.articles_total, 0) = 0
            as boolean
        ) as is_due_without_articles,
        cast(bounds.as_of_date as date) as as_of_date

    from item_quarters
    cross join bounds
    left join counted
        on counted.plan_year = item_quarters.plan_year
        and counted.plan_item_id = item_quarters.plan_item_id
        and counted.quarter_start = item_quarters.quarter_start
    left join lead_counted
        on lead_counted.plan_year = item_quarters.plan_year
        and lead_counted.plan_item_id = item_quarters.plan_item_id
        and lead_counted.quarter_start = item_quarters.quarter_start

)

select * from final
