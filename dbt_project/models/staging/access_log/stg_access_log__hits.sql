-- Web server access-log hits, renamed and typed, with the page-view rule; one row per accepted log line.
-- The bot words and static extensions are reference data an analyst edits (seeds access_log_*); the agents are classified
-- once in stg_access_log__user_agents.
with

source as (

    select * from {{ source('access_log', 'access_log_hits') }}

),

user_agent_kinds as (

    -- each distinct agent classified once (stg_access_log__user_agents)
    select * from {{ ref('stg_access_log__user_agents') }}

),

static_extensions as (

    select * from {{ ref('access_log_static_extensions') }}

),

renamed as (

    select
        cast(hit_local_ts as timestamp) as hit_local_ts,
        cast(hit_date as date) as hit_date,
        lower(trim(host)) as host,
        client_key,
        upper(method) as http_method,
        path as request_path,
        cast(status as integer) as http_status,
        cast(bytes as bigint) as response_bytes,
        referrer,
        user_agent,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select
        renamed.*,
        coalesce(user_agent_kinds.is_bot, false) as is_bot,
        -- a page view: GET answered 200 or 304, by a person, of a page (not a page resource or a download)
        renamed.http_method = 'GET'
            and renamed.http_status in (200, 304)
            and not coalesce(user_agent_kinds.is_bot, false)
            and coalesce(
                regexp_extract(lower(renamed.request_path), '\.([a-z0-9]+)$', 1)
                    not in (select extension from static_extensions),
                true
            ) as is_page_view

    from renamed
    left join user_agent_kinds
        on renamed.user_agent is not distinct from user_agent_kinds.user_agent

)

select * from final
