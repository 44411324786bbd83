-- One row per officer assignment (unit, first day). A roster is sent again as it changes: the copy in the latest roster
-- wins (it may have gained an end date), then the last file name and line. Who the officer is stays in raw.
with

roster as (

    select * from {{ ref('stg_officers__roster') }}

),

units as (

    select * from {{ ref('dim_unit') }}

),

latest_copy as (

    select {{ star_except(['copy_rank']) }}
    from (
        select
            *,
            row_number() over (
                partition by unit_code, valid_from
                order by exported_on desc, source_file desc, source_line desc
            ) as copy_rank
        from roster
    )
    where copy_rank = 1

),

sequenced as (

    select
        latest_copy.*,
        lag(valid_to) over (partition by unit_code order by valid_from) as previous_valid_to,
        row_number() over (partition by unit_code order by valid_from) as assignment_number

    from latest_copy

),

final as (

    select
        cast(sequenced.unit_code as {{ string_type() }}) as unit_code,
        cast(units.unit_name as {{ string_type() }}) as unit_name,
        cast(units.unit_type as {{ string_type() }}) as unit_type,
        sequenced.valid_from,
        sequenced.valid_to,
        cast(sequenced.assignment_number as integer) as assignment_number,
        -- a change: the unit had named someone before (a replacement, or a new officer after a gap)
        sequenced.assignment_number > 1 as is_change,
        cast(case
            when sequenced.previous_valid_to is not null
                then greatest({{ days_between('sequenced.previous_valid_to', 'sequenced.valid_from') }} - 1, 0)
        end as integer) as days_without_officer_before,
        sequenced.exported_on as listed_on

    from sequenced
    left join units
        on sequenced.unit_code = units.unit_code

)

select * from final
