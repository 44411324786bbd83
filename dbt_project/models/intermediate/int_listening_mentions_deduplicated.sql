-- One row per mention (url). Exports overlap and a later export carries grown counts: the copy with the most engagement
-- then reach is kept (keep_most_advanced_copy), then the latest mention day, the greatest file name, the last line.
with

mentions as (

    select * from {{ ref('stg_listening__mentions') }}

),

copies as (

    select
        *,
        count(*) over (partition by url) as copies_count

    from mentions

),

final as (

    {{ keep_most_advanced_copy('copies', 'url', ['coalesce(engagement, -1)', 'coalesce(reach, -1)'],
                               ['cast(mention_date as timestamp)']) }}

)

select * from final
