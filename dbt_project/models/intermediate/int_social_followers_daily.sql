-- Followers per channel and day: the fanpage from the insights, the OA from its daily snapshots (a day delivered in two
-- files keeps the greatest file name, then the last line), with the OA's new followers and unfollows of that day.
with

facebook_daily as (

    select * from {{ ref('int_facebook_page_daily') }}

),

zalo_followers as (

    select * from {{ ref('stg_zalo__followers') }}

),

zalo_interactions as (

    select * from {{ ref('stg_zalo__interactions') }}

),

zalo_snapshots as (

    select snapshot_date, {{ arg_max_by_keys('num_follower', ['source_file', 'source_line']) }} as followers
    from zalo_followers
    group by snapshot_date

),

zalo_moves as (

    select
        interaction_date,
        {{ arg_max_by_keys('new_followers', ['source_file', 'source_line']) }} as new_followers,
        {{ arg_max_by_keys('unfollows', ['source_file', 'source_line']) }} as unfollows,
        {{ arg_max_by_keys('messages_received', ['source_file', 'source_line']) }} as messages_received,
        {{ arg_max_by_keys('messages_answered', ['source_file', 'source_line']) }} as messages_answered

    from zalo_interactions
    group by interaction_date

),

final as (

    select
        'facebook' as channel,
        metric_date as day,
        followers,
        page_views,
        cast(null as bigint) as new_followers,
        cast(null as bigint) as unfollows,
        cast(null as bigint) as messages_received,
        cast(null as bigint) as messages_answered

    from facebook_daily

    union all

    select
        'zalo',
        coalesce(zalo_snapshots.snapshot_date, zalo_moves.interaction_date),
        zalo_snapshots.followers,
        null,
        zalo_moves.new_followers,
        zalo_moves.unfollows,
        zalo_moves.messages_received,
        zalo_moves.messages_answered

    from zalo_snapshots
    full outer join zalo_moves
        on zalo_moves.interaction_date = zalo_snapshots.snapshot_date

)

select * from final
