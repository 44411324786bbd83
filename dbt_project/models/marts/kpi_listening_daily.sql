-- Mentions per day by source type and sentiment (source_type and sentiment NULL = all mentions of the day, with the
-- spike rule of int_listening_days; days without mentions have only that row, with 0).
with

mentions as (

    select * from {{ ref('int_listening_mentions_deduplicated') }}

),

listening_days as (

    select * from {{ ref('int_listening_days') }}

),

by_type_and_sentiment as (

    select
        mention_date,
        source_type,
        sentiment,
        count(*) as mention_count,
        count(*) filter (where sentiment = 'negative') as negative_count,
        sum(reach) as reach_sum,
        sum(engagement) as engagement_sum,
        cast(null as double) as trailing_median,
        cast(null as double) as spike_threshold,
        cast(null as boolean) as is_spike

    from mentions
    group by mention_date, source_type, sentiment

),

day_totals as (

    select
        listening_days.mention_date,
        cast(null as {{ string_type() }}) as source_type,
        cast(null as {{ string_type() }}) as sentiment,
        listening_days.mention_count,
        count(mentions.url) filter (where mentions.sentiment = 'negative') as negative_count,
        sum(mentions.reach) as reach_sum,
        sum(mentions.engagement) as engagement_sum,
        listening_days.trailing_median,
        listening_days.spike_threshold,
        listening_days.is_spike

    from listening_days
    left join mentions
        on mentions.mention_date = listening_days.mention_date
    group by all

),

final as (

    select
        cast(mention_date as date) as mention_date,
        cast({{ month_label('mention_date') }} as {{ string_type() }}) as month,
        cast(source_type as {{ string_type() }}) as source_type,
        cast(sentiment as {{ string_type() }}) as sentiment,
        cast(mention_count as integer) as mention_count,
        cast(negative_count as integer) as negative_count,
        cast(reach_sum as bigint) as reach_sum,
        cast(engagement_sum as bigint) as engagement_sum,
        cast(trailing_median as double) as trailing_median,
        cast(spike_threshold as double) as spike_threshold,
        cast(is_spike as boolean) as is_spike

    from by_type_and_sentiment

    union all

    select
        cast(mention_date as date),
        cast({{ month_label('mention_date') }} as {{ string_type() }}),
        cast(source_type as {{ string_type() }}),
        cast(sentiment as {{ string_type() }}),
        cast(mention_count as integer),
        cast(negative_count as integer),
        cast(reach_sum as bigint),
        cast(engagement_sum as bigint),
        cast(trailing_median as double),
        cast(spike_threshold as double),
        cast(is_spike as boolean)

    from day_totals

)

select * from final
