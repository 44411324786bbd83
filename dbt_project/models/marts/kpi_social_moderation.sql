-- Flagged comments handled within the window (reference.social_reference.moderation_window_hours), per channel and
-- month of flagging; channel NULL = both channels.
with

comments as (

    select * from {{ ref('int_moderation_log_deduplicated') }}

),

social_reference as (

    select * from {{ ref('social_reference') }}

),

classified as (

    select
        comments.channel,
        cast(date_trunc('month', comments.flagged_at) as date) as month_start,
        comments.action,
        comments.action is not null as handled,
        comments.action in ('hidden', 'deleted') as removed,
        comments.action is not null
            and comments.action_at <= {{ add_hours('comments.flagged_at', 'social_reference.moderation_window_hours') }}
            as handled_within_window,
        {{ minutes_between('comments.flagged_at', 'comments.action_at') }} / 60.0 as hours_to_action,
        social_reference.moderation_window_hours

    from comments
    cross join social_reference

),

grouped as (

    select
        channel,
        month_start,
        count(*) as flagged_count,
        count(*) filter (where handled) as handled_count,
        count(*) filter (where handled_within_window) as handled_within_window_count,
        count(*) filter (where removed) as removed_count,
        count(*) filter (where not handled) as pending_count,
        median(hours_to_action) as median_hours_to_action,
        any_value(moderation_window_hours) as moderation_window_hours

    from classified
    group by grouping sets ((channel, month_start), (month_start))

),

final as (

    select
        cast(channel as {{ string_type() }}) as channel,
        cast(month_start as date) as month_start,
        cast({{ month_label('month_start') }} as {{ string_type() }}) as month,
        cast(flagged_count as integer) as flagged_count,
        cast(handled_count as integer) as handled_count,
        cast(handled_within_window_count as integer) as handled_within_window_count,
        cast(removed_count as integer) as removed_count,
        cast(pending_count as integer) as pending_count,
        {{ pct('handled_within_window_count', 'flagged_count') }} as handled_within_window_pct,
        cast(round(median_hours_to_action, 1) as double) as median_hours_to_action,
        cast(moderation_window_hours as integer) as moderation_window_hours

    from grouped

)

select * from final
