-- The 20 most viewed pages of each month over all sub-sites (ranked per month by int_portal_top_pages_monthly).
with

top_pages as (

    select * from {{ ref('int_portal_top_pages_monthly') }}

),

final as (

    select
        month,
        month_start,
        site,
        page_path,
        page_title,
        pageviews,
        rank_in_month

    from top_pages

)

select * from final
