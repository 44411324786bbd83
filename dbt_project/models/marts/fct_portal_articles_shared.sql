-- Each department article published on the portal and whether the fanpage and the OA shared it in time (one row per
-- article): the list behind kpi_social_crossposting, for staff who ask which articles were not shared.
with

articles as (

    select * from {{ ref('int_portal_articles_shared') }}

),

final as (

    select
        cast(submission_id as {{ string_type() }}) as submission_id,
        cast(unit_code as {{ string_type() }}) as unit_code,
        cast(title as {{ string_type() }}) as title,
        cast(url as {{ string_type() }}) as url,
        cast(published_at as timestamp) as published_at,
        cast({{ month_label('published_at') }} as {{ string_type() }}) as month,
        cast(facebook_post_id as {{ string_type() }}) as facebook_post_id,
        cast(facebook_shared_at as timestamp) as facebook_shared_at,
        cast(facebook_matched_by as {{ string_type() }}) as facebook_matched_by,
        cast(facebook_within_window as boolean) as facebook_within_window,
        cast(zalo_post_id as {{ string_type() }}) as zalo_post_id,
        cast(zalo_shared_at as timestamp) as zalo_shared_at,
        cast(zalo_matched_by as {{ string_type() }}) as zalo_matched_by,
        cast(zalo_within_window as boolean) as zalo_within_window,
        cast(facebook_within_window or zalo_within_window as boolean) as shared_within_window,
        cast(crosspost_window_days as integer) as crosspost_window_days

    from articles

)

select * from final
