-- Monthly share of GA4 page views by device category and by channel (traffic source / medium).
with

ga4_events as (

    select * from {{ ref('stg_ga4__events') }}

),

page_views as (

    select
        cast(date_trunc('month', event_date) as date) as month_start,
        coalesce(device_category, '(not set)') as device,
        coalesce(traffic_source, '(direct)') || ' / ' || coalesce(traffic_medium, '(none)') as channel

    from ga4_events
    where event_name = 'page_view'

),

by_value as (

    select month_start, 'device' as dimension, device as value, count(*) as pageviews
    from page_views
    group by all

    union all

    select month_start, 'channel' as dimension, channel as value, count(*) as pageviews
    from page_views
    group by all

),

final as (

    select
        {{ month_label('month_start') }} as month,
        month_start,
        cast(dimension as {{ string_type() }}) as dimension,
        cast(value as {{ string_type() }}) as value,
        cast(pageviews as bigint) as pageviews,
        {{ pct('pageviews', 'sum(pageviews) over (partition by month_start, dimension)') }} as share_pct

    from by_value

)

select * from final
