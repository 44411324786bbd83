-- One row per press request. A request can be in several exports of the register; an answered copy wins over an open
-- one, then the latest time in the record, the last file name, the last line (macro keep_most_advanced_copy): the rows
-- decide, never the load order.
with

press_requests as (

    select * from {{ ref('stg_press__requests') }}

),

final as (

    {{ keep_most_advanced_copy(
        'press_requests',
        'request_id',
        progress_order=['answered_at is not null'],
        time_columns=['answered_at', 'received_at']
    ) }}

)

select * from final
