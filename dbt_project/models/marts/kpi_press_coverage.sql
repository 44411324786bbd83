-- Press coverage per month: articles by tone, per outlet and for all outlets (outlet NULL).
with

coverage as (

    select * from {{ ref('fct_press_coverage') }}

),

aggregated as (

    select
        month,
        outlet,
        count(*) as articles,
        count(*) filter (where tone = 'positive') as positive_articles,
        count(*) filter (where tone = 'neutral') as neutral_articles,
        count(*) filter (where tone = 'negative') as negative_articles,
        count(*) filter (where plan_item is not null) as plan_item_articles

    from coverage
    group by grouping sets ((month, outlet), (month))

),

final as (

    select
        cast(month as {{ string_type() }}) as month,
        cast(month || '-01' as date) as month_start,
        cast(outlet as {{ string_type() }}) as outlet,
        cast(articles as bigint) as articles,
        cast(positive_articles as bigint) as positive_articles,
        cast(neutral_articles as bigint) as neutral_articles,
        cast(negative_articles as bigint) as negative_articles,
        {{ pct('negative_articles', 'articles') }} as negative_pct,
        cast(plan_item_articles as bigint) as plan_item_articles

    from aggregated

)

select * from final
