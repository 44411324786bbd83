-- One row per submission id. The same submission can be listed again in a later file with a later status. The winner
-- depends only on the rows themselves, never on when or in which order the files were loaded: the most advanced status
-- (published, then a decision: selected/rejected/withdrawn, then received), then the latest time in the record
-- (publication, else submission), then the last source file name, then the last line.
with

article_submissions as (

    select * from {{ ref('stg_raw__article_submissions') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by submission_id
            order by
                case status
                    when 'published' then 3
                    when 'selected' then 2
                    when 'rejected' then 2
                    when 'withdrawn' then 2
                    else 1
                end desc,
                -- DuckDB's greatest() skips NULLs: the publication time when there is one, else the submission time
                greatest(published_at, submitted_at) desc nulls last,
                source_file desc,
                source_line desc
        ) as copy_rank

    from article_submissions

),

final as (

    select
        submission_id,
        unit_code,
        unit_as_sent,
        submitted_at,
        title,
        plan_item,
        author,
        status,
        published_at,
        published_channel,
        url,
        source_file,
        source_line,
        loaded_at

    from ranked
    where copy_rank = 1

)

select * from final
