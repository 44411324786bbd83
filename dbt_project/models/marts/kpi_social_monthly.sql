-- Each social channel per month: posts published, their views / reach and engagements (latest counts), the fanpage's
-- page views, and follower growth.
with

posts as (

    select * from {{ ref('fct_social_posts') }}

),

followers_daily as (

    select * from {{ ref('int_social_followers_daily') }}

),

post_months as (

    select
        channel,
        cast(date_trunc('month', published_date) as date) as month_start,
        count(*) as posts,
        sum(views) as views,
        sum(reach) as reach,
        sum(engagements) as engagements

    from posts
    group by all

),

follower_months as (

    select
        channel,
        cast(date_trunc('month', day) as date) as month_start,
        {{ arg_max_by_keys('followers', ['day']) }} filter (where followers is not null) as followers_end,
        {{ arg_min('followers', 'day') }} filter (where followers is not null) as followers_first,
        sum(page_views) as page_views,
        sum(new_followers) as new_followers,
        sum(unfollows) as unfollows,
        sum(messages_received) as messages_received,
        sum(messages_answered) as messages_answered

    from followers_daily
    group by all

),

months as (

    select channel, month_start from post_months
    union
    select channel, month_start from follower_months

),

joined as (

    select
        months.channel,
        months.month_start,
        coalesce(post_months.posts, 0) as posts,
        coalesce(post_months.views, 0) as views,
        post_months.reach,
        coalesce(post_months.engagements, 0) as engagements,
        follower_months.page_views,
        follower_months.followers_end,
        -- growth from the end of the previous month with a count (else from the first count of this month)
        coalesce(
            lag(follower_months.followers_end) over (partition by months.channel order by months.month_start),
            follower_months.followers_first
        ) as followers_start,
        follower_months.new_followers,
        follower_months.unfollows,
        follower_months.messages_received,
        follower_months.messages_answered

    from months
    left join post_months
        on post_months.channel = months.channel
        and post_months.month_start = months.month_start
    left join follower_months
        on follower_months.channel = months.channel
        and follower_months.month_start = months.month_start

),

final as (

    select
        cast(channel as {{ string_type() }}) as channel,
        cast(month_start as date) as month_start,
        cast({{ month_label('month_start') }} as {{ string_type() }}) as month,
        cast(posts as integer) as posts,
        cast(views as bigint) as views,
        cast(case when channel = 'facebook' then coalesce(reach, 0) end as bigint) as reach,
        cast(engagements as bigint) as engagements,
        cast(round(engagements / nullif(posts, 0), 1) as double) as engagement_per_post,
        -- per person reached on the fanpage; per view on the OA (its list has no reach)
        {{ pct('engagements', 'case when channel = \'facebook\' then reach else views end') }} as engagement_rate_pct,
        cast(page_views as bigint) as page_views,
        cast(followers_start as bigint) as followers_start,
        cast(followers_end as bigint) as followers_end,
        cast(followers_end - followers_start as bigint) as follower_growth,
        cast(new_followers as bigint) as new_followers,
        cast(unfollows as bigint) as unfollows,
        cast(messages_received as bigint) as messages_received,
        cast(messages_answered as bigint) as messages_answered

    from joined

)

select * from final
