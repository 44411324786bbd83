-- Every post of both channels as each export saw it: one row per channel, post and export day. Facebook engagements =
-- reactions + comments + shares (clicks are counted apart); Zalo's list has only shares. A post listed twice for the
-- same export day (two files of one day) keeps the greatest file name, then the last line: rows alone decide.
with

facebook_posts as (

    select * from {{ ref('stg_facebook__posts') }}

),

zalo_articles as (

    select * from {{ ref('stg_zalo__articles') }}

),

unioned as (

    select
        'facebook' as channel,
        post_id,
        title,
        description as post_text,
        post_type,
        permalink,
        published_at,
        exported_on,
        views,
        reach,
        reactions,
        comments,
        shares,
        total_clicks as clicks,
        coalesce(reactions, 0) + coalesce(comments, 0) + coalesce(shares, 0) as engagements,
        source_file,
        source_line

    from facebook_posts

    union all

    select
        'zalo',
        article_id,
        title,
        null,
        article_type,
        null,
        published_at,
        exported_on,
        total_view,
        null,
        null,
        null,
        total_share,
        null,
        coalesce(total_share, 0),
        source_file,
        source_line

    from zalo_articles

),

ranked as (

    select
        *,
        row_number() over (
            partition by channel, post_id, exported_on order by source_file desc, source_line desc
        ) as copy_rank

    from unioned

),

final as (

    select {{ star_except(['copy_rank']) }}
    from ranked
    where copy_rank = 1

)

select * from final
