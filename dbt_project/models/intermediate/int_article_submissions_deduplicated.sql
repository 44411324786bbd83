-- One row per submission id. The same submission can be listed again in a later file with a later status. The winner
-- depends only on the rows themselves, never on when or in which order the files were loaded: the most advanced status
-- (published, then a decision: selected/rejected/withdrawn, then received), then the latest time in the record
-- (publication, else submission), then the last source file name, then the last line (macro keep_most_advanced_copy).
with

article_submissions as (

    select * from {{ ref('stg_submissions__articles') }}

),

final as (

    {{ keep_most_advanced_copy(
        'article_submissions',
        'submission_id',
        progress_order=[
            "case status when 'published' then 3 when 'selected' then 2 when 'rejected' then 2"
            ~ " when 'withdrawn' then 2 else 1 end"
        ],
        time_columns=['published_at', 'submitted_at']
    ) }}

)

select * from final
