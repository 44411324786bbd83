-- Monthly share of GA4 page views by device category and by channel (traffic source / medium).
with

mix_daily as (

    select * from {{ ref('int_portal_ga4_mix_daily') }}

),

page_views as (

    select
        cast(date_trunc('month', event_date) as date) as month_start,
        device,
        channel,
        pageviews

    from mix_daily

),

by_value as (

    select month_start, 'device' as dimension, device as value, sum(pageviews) as pageviews
    from page_views
    group by month_start, device

    union all

    select month_start, 'channel' as dimension, channel as value, sum(pageviews) as pageviews
    from page_views
    group by month_start, channel

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
