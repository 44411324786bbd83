-- Share of the department's portal articles that appear on the fanpage or the OA within the window, by month of the
-- portal publication.
with

articles as (

    select * from {{ ref('fct_portal_articles_shared') }}

),

social_reference as (

    select * from {{ ref('social_reference') }}

),

monthly as (

    select
        cast(date_trunc('month', published_at) as date) as month_start,
        count(*) as portal_articles,
        count(*) filter (where facebook_within_window) as shared_facebook_count,
        count(*) filter (where zalo_within_window) as shared_zalo_count,
        count(*) filter (where shared_within_window) as shared_any_count,
        count(*) filter (where facebook_shared_at is not null or zalo_shared_at is not null) as shared_ever_count

    from articles
    group by all

),

final as (

    select
        cast(monthly.month_start as date) as month_start,
        cast({{ month_label('monthly.month_start') }} as {{ string_type() }}) as month,
        cast(portal_articles as integer) as portal_articles,
        cast(shared_facebook_count as integer) as shared_facebook_count,
        cast(shared_zalo_count as integer) as shared_zalo_count,
        cast(shared_any_count as integer) as shared_any_count,
        cast(shared_ever_count as integer) as shared_ever_count,
        {{ pct('shared_facebook_count', 'portal_articles') }} as shared_facebook_pct,
        {{ pct('shared_zalo_count', 'portal_articles') }} as shared_zalo_pct,
        {{ pct('shared_any_count', 'portal_articles') }} as shared_any_pct,
        cast(social_reference.crosspost_window_days as integer) as crosspost_window_days

    from monthly
    cross join social_reference

)

select * from final
