-- Each department article published on the portal, with the first post of each social channel that shares it: a post
-- whose text holds the article's link (compared without scheme, www., query or trailing slash), else a post whose title
-- has the same words (accents, case, emoji and punctuation ignored), published at or after the article.
with

submissions as (

    select * from {{ ref('int_article_submissions_deduplicated') }}

),

posts as (

    select * from {{ ref('fct_social_posts') }}

),

social_reference as (

    select * from {{ ref('social_reference') }}

),

portal_articles as (

    select
        submission_id,
        unit_code,
        title,
        url,
        published_at,
        {{ normalised_url('url') }} as url_key,
        {{ words_key('title') }} as title_key

    from submissions
    where status = 'published'
        and published_channel = 'portal'
        and published_at is not null

),

post_links as (

    select distinct
        channel,
        post_id,
        published_at,
        {{ normalised_url('link') }} as url_key

    from (
        select channel, post_id, published_at, {{ regexp_matches_to_rows('post_text', 'https?://[^\\s<>"]+') }} as link
        from posts
    )

),

matches as (

    select portal_articles.submission_id, post_links.channel, post_links.post_id, post_links.published_at,
        'link' as matched_by
    from portal_articles
    inner join post_links
        on post_links.url_key = portal_articles.url_key
        and post_links.published_at >= portal_articles.published_at

    union all

    select portal_articles.submission_id, posts.channel, posts.post_id, posts.published_at, 'title'
    from portal_articles
    inner join posts
        on posts.title_key = portal_articles.title_key
        and posts.published_at >= portal_articles.published_at

),

first_share as (

    -- a link match wins over a title match of the same post; then the earliest post
    select
        submission_id,
        channel,
        {{ arg_min_by_keys('post_id', ['published_at', "case matched_by when 'link' then 0 else 1 end", 'post_id']) }} as post_id,
        min(published_at) as shared_at,
        {{ arg_min_by_keys('matched_by', ['published_at', "case matched_by when 'link' then 0 else 1 end", 'post_id']) }} as matched_by

    from matches
    group by all

),

final as (

    select
        portal_articles.submission_id,
        portal_articles.unit_code,
        portal_articles.title,
        portal_articles.url,
        portal_articles.published_at,
        facebook.post_id as facebook_post_id,
        facebook.shared_at as facebook_shared_at,
        facebook.matched_by as facebook_matched_by,
        zalo.post_id as zalo_post_id,
        zalo.shared_at as zalo_shared_at,
        zalo.matched_by as zalo_matched_by,
        social_reference.crosspost_window_days,
        coalesce(facebook.shared_at <= {{ timestamp_add_days('portal_articles.published_at', 'social_reference.crosspost_window_days') }}, false) as facebook_within_window,
        coalesce(zalo.shared_at <= {{ timestamp_add_days('portal_articles.published_at', 'social_reference.crosspost_window_days') }}, false) as zalo_within_window

    from portal_articles
    cross join social_reference
    left join first_share as facebook
        on facebook.submission_id = portal_articles.submission_id
        and facebook.channel = 'facebook'
    left join first_share as zalo
        on zalo.submission_id = portal_articles.submission_id
        and zalo.channel = 'zalo'

)

select * from final
