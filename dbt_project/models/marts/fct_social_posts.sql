-- One row per post of the fanpage and the OA with its latest counts: the export with the latest day wins (re-exports list
-- the same post with growing counts). engagements_after_n_days is read from the first export taken at least N days
-- (reference.social_reference.engagement_after_days) after the publication day; NULL while no such export exists.
with

snapshots as (

    select * from {{ ref('int_social_post_snapshots') }}

),

social_reference as (

    select * from {{ ref('social_reference') }}

),

ranked as (

    select
        snapshots.*,
        row_number() over (partition by channel, post_id order by exported_on desc) as latest_rank,
        count(*) over (partition by channel, post_id) as exports_count,
        min(exported_on) over (partition by channel, post_id) as first_exported_on

    from snapshots

),

after_n_days as (

    select
        snapshots.channel,
        snapshots.post_id,
        {{ arg_min('snapshots.engagements', 'snapshots.exported_on') }} as engagements_after_n_days,
        min(snapshots.exported_on) as after_n_days_exported_on

    from snapshots
    cross join social_reference
    where snapshots.exported_on >= cast(snapshots.published_at as date) + social_reference.engagement_after_days
    group by all

),

final as (

    select
        cast(ranked.channel as {{ string_type() }}) as channel,
        cast(ranked.post_id as {{ string_type() }}) as post_id,
        cast(ranked.title as {{ string_type() }}) as title,
        cast(ranked.post_type as {{ string_type() }}) as post_type,
        cast(ranked.permalink as {{ string_type() }}) as permalink,
        cast(ranked.published_at as timestamp) as published_at,
        cast(ranked.published_at as date) as published_date,
        cast(ranked.exported_on as date) as latest_exported_on,
        cast(ranked.first_exported_on as date) as first_exported_on,
        cast(ranked.exports_count as integer) as exports_count,
        cast(ranked.views as bigint) as views,
        cast(ranked.reach as bigint) as reach,
        cast(ranked.reactions as bigint) as reactions,
        cast(ranked.comments as bigint) as comments,
        cast(ranked.shares as bigint) as shares,
        cast(ranked.clicks as bigint) as clicks,
        cast(ranked.engagements as bigint) as engagements,
        cast(after_n_days.engagements_after_n_days as bigint) as engagements_after_n_days,
        cast(after_n_days.after_n_days_exported_on as date) as after_n_days_exported_on,
        cast(social_reference.engagement_after_days as integer) as engagement_after_days,
        cast({{ words_key('ranked.title') }} as {{ string_type() }}) as title_key,
        cast(ranked.post_text as {{ string_type() }}) as post_text

    from ranked
    cross join social_reference
    left join after_n_days
        on after_n_days.channel = ranked.channel
        and after_n_days.post_id = ranked.post_id
    where ranked.latest_rank = 1

)

select * from final
