-- One row per ticket. A ticket can be in several exports; its state only moves forward (open -> forwarded -> answered
-- -> published), so the most advanced copy wins, then the latest time in the record (answer published, answered,
-- forwarded, received: the greatest of them), then the last source file name, then the last line. Only the rows decide,
-- never when or in which order the files were loaded (macro keep_most_advanced_copy).
with

feedback_tickets as (

    select * from {{ ref('stg_feedback__tickets') }}

),

final as (

    {{ keep_most_advanced_copy(
        'feedback_tickets',
        'ticket_id',
        progress_order=['responded_at is not null', 'answer_published_at is not null', 'forwarded_at is not null'],
        time_columns=['answer_published_at', 'responded_at', 'forwarded_at', 'received_at']
    ) }}

)

select * from final
