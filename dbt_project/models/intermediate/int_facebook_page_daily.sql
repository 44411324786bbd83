-- The fanpage's daily figures from the insights: views (page_media_view) and followers (page_follows) per day. Pulls
-- overlap, so a value may come in several files: the greatest file name wins, then the last line (rows alone decide).
with

insights as (

    select * from {{ ref('stg_facebook__insights') }}

),

page_values as (

    select
        metric,
        metric_date,
        {{ arg_max_by_keys('metric_value', ['source_file', 'source_line']) }} as metric_value

    from insights
    where post_id is null
        and period = 'day'
        and metric in ('page_media_view', 'page_follows')
    group by all

),

final as (

    select
        metric_date,
        max(metric_value) filter (where metric = 'page_media_view') as page_views,
        max(metric_value) filter (where metric = 'page_follows') as followers

    from page_values
    group by metric_date

)

select * from final
