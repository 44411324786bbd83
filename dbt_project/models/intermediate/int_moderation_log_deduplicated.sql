-- One row per flagged comment (channel, comment_id). A comment listed again in a later file keeps the most advanced
-- record: handled over not yet handled, then the latest action time, then the greatest file name, then the last line.
with

moderation_log as (

    select * from {{ ref('stg_moderation__log') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by channel, comment_id
            order by (action is not null) desc, action_at desc nulls last, source_file desc, source_line desc
        ) as copy_rank

    from moderation_log

),

final as (

    select {{ star_except(['copy_rank']) }}
    from ranked
    where copy_rank = 1

)

select * from final
