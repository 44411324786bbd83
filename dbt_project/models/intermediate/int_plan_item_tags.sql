-- Which item of the communications plan each article serves (one row per article and item; untagged articles have no
-- row). Articles: units' submissions (withdrawn excluded) and the posts of the fanpage and the OA. An explicit plan_item
-- written by the unit wins and is the only tag; otherwise every item of the year's plan (reference.plan_items,
-- plan_year = year of the article) one of whose keywords appears in the title as whole words, compared accent- and
-- case-insensitively (macro title_key); the longest matching keyword is kept as the reason.
with

submissions as (

    select * from {{ ref('int_article_submissions_deduplicated') }}

),

social_posts as (

    select * from {{ ref('int_social_post_snapshots') }}

),

plan_items as (

    select * from {{ ref('plan_items') }}

),

articles as (

    select
        'submission' as channel,
        submission_id as article_id,
        unit_code,
        title,
        nullif(trim(plan_item), '') as explicit_plan_item,
        cast(submitted_at as date) as article_date,
        status = 'published' and published_channel = 'portal' as is_on_portal

    from submissions
    where status <> 'withdrawn'

    union all

    -- a post exported several times keeps the title of its latest export
    select
        channel,
        post_id,
        null,
        {{ arg_max_by_keys('coalesce(title, post_text)', ['exported_on']) }},
        null,
        cast(min(published_at) as date),
        false

    from social_posts
    group by channel, post_id

),

keywords as (

    select
        plan_year,
        item_id,
        trim(keyword) as keyword,
        {{ words_key('keyword') }} as keyword_key

    from (
        select plan_year, item_id, {{ split_to_rows('keywords', ';') }} as keyword
        from plan_items
    )

),

explicit_tags as (

    select
        articles.*,
        articles.explicit_plan_item as plan_item_id,
        cast('explicit' as {{ string_type() }}) as tag_method,
        cast(null as {{ string_type() }}) as matched_keyword

    from articles
    where articles.explicit_plan_item is not null

),

keyword_tags as (

    select
        articles.*,
        keywords.item_id as plan_item_id,
        cast('keyword' as {{ string_type() }}) as tag_method,
        {{ arg_max('keywords.keyword', 'length(keywords.keyword_key)') }} as matched_keyword

    from articles
    inner join keywords
        on keywords.plan_year = year(articles.article_date)
        and keywords.keyword_key is not null
        and contains(' ' || {{ words_key('articles.title') }} || ' ', ' ' || keywords.keyword_key || ' ')
    where articles.explicit_plan_item is null
    group by all

),

final as (

    select
        cast(tags.channel as {{ string_type() }}) as channel,
        cast(tags.article_id as {{ string_type() }}) as article_id,
        cast(tags.unit_code as {{ string_type() }}) as unit_code,
        cast(tags.title as {{ string_type() }}) as title,
        cast(tags.article_date as date) as article_date,
        cast(tags.is_on_portal as boolean) as is_on_portal,
        cast(year(tags.article_date) as integer) as plan_year,
        cast(tags.plan_item_id as {{ string_type() }}) as plan_item_id,
        tags.tag_method,
        tags.matched_keyword,
        plan_items.item_id is not null as is_item_of_plan

    from (
        {%- set tag_columns = 'channel, article_id, unit_code, title, article_date, is_on_portal, plan_item_id, tag_method, '
                              ~ 'matched_keyword' %}
        select {{ tag_columns }} from explicit_tags
        union all
        select {{ tag_columns }} from keyword_tags
    ) as tags
    left join plan_items
        on plan_items.plan_year = year(tags.article_date)
        and plan_items.item_id = tags.plan_item_id

)

select * from final
