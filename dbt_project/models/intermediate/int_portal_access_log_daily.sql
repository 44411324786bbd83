-- Access-log traffic per sub-site and day. A log has no session or engagement: sessions = users, engagement unknown.
with

access_log_hits as (

    select * from {{ ref('stg_access_log__hits') }}

),

final as (

    select
        host as site,
        hit_date,
        count(*) filter (where is_page_view) as pageviews,
        count(distinct client_key) filter (where is_page_view) as users,
        -- one visitor (hashed IP) a day stands in for one session
        count(distinct client_key) filter (where is_page_view) as sessions,
        cast(null as double) as engagement_seconds

    from access_log_hits
    group by host, hit_date

)

select * from final
