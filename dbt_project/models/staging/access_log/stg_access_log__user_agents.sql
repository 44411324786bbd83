-- Every distinct user agent of the access logs, classified once as a bot or not by the seed access_log_bot_user_agents
-- (a word found in the lower-cased agent; not when it only appears inside not_when_part_of). A table: the hits view joins
-- it, so a query reading a few days of hits does not classify the agents of every day again.
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('access_log', 'access_log_hits') }}

),

bot_user_agents as (

    select * from {{ ref('access_log_bot_user_agents') }}

),

agents as (

    select distinct user_agent from source

),

final as (

    select
        agents.user_agent,
        count(bot_user_agents.user_agent_word) > 0 as is_bot

    from agents
    left join bot_user_agents
        on contains(
            case
                when bot_user_agents.not_when_part_of is null then lower(agents.user_agent)
                else replace(lower(agents.user_agent), lower(bot_user_agents.not_when_part_of), '')
            end,
            lower(bot_user_agents.user_agent_word)
        )
    group by agents.user_agent

)

select * from final
