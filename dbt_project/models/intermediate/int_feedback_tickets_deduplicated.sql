-- One row per ticket. A ticket can be in several exports; its state only moves forward (open -> forwarded -> answered
-- -> published), so the most advanced copy wins, then the latest time in the record (answer published, answered,
-- forwarded, received: the greatest of them), then the last source file name, then the last line. Only the rows decide,
-- never when or in which order the files were loaded.
with

feedback_tickets as (

    select * from {{ ref('stg_raw__feedback_tickets') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by ticket_id
            order by
                (responded_at is not null) desc,
                (answer_published_at is not null) desc,
                (forwarded_at is not null) desc,
                -- DuckDB's greatest() skips NULLs: the latest of the times the copy has
                greatest(answer_published_at, responded_at, forwarded_at, received_at) desc nulls last,
                source_file desc,
                source_line desc
        ) as copy_rank

    from feedback_tickets

),

final as (

    select
        ticket_id,
        received_at,
        channel,
        category,
        assigned_unit_code,
        forwarded_at,
        responding_unit_code,
        responded_at,
        responder_title,
        answer_published_at,
        status,
        source_file,
        source_line,
        loaded_at

    from ranked
    where copy_rank = 1

)

select * from final
