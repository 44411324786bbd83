-- Page views per sub-site, page and day from each of the three analytics forms (for the top-pages ranking).
-- Paths lose their query string and fragment, so /?utm=x and / are the same page.
with

ga4_events as (

    select * from {{ ref('stg_raw__ga4_events') }}

),

access_log_hits as (

    select * from {{ ref('stg_raw__access_log_hits') }}

),

page_report_rows as (

    select * from {{ ref('stg_raw__page_report_rows') }}

),

ga4_pages as (

    select
        page_host as site,
        event_date as date,
        coalesce(nullif(regexp_replace(page_path, '[?#].*$', ''), ''), '/') as page_path,
        page_title,
        count(*) as pageviews,
        'ga4' as source_form

    from ga4_events
    where event_name = 'page_view'
        and page_host is not null
    group by all

),

access_log_pages as (

    select
        host as site,
        hit_date as date,
        coalesce(nullif(regexp_replace(request_path, '[?#].*$', ''), ''), '/') as page_path,
        cast(null as {{ string_type() }}) as page_title,
        count(*) as pageviews,
        'access_log' as source_form

    from access_log_hits
    where is_page_view
    group by all

),

page_report_pages as (

    select
        host as site,
        report_date as date,
        coalesce(nullif(regexp_replace(page_path, '[?#].*$', ''), ''), '/') as page_path,
        page_title,
        coalesce(sum(pageviews), 0) as pageviews,
        'page_report' as source_form

    from page_report_rows
    group by all

),

final as (

    select * from ga4_pages
    union all
    select * from access_log_pages
    union all
    select * from page_report_pages

)

select * from final
