-- Officer assignments, renamed and typed. The officer key is left out: the KPIs ask whether a unit has an officer, not who.
with

source as (

    select * from {{ source('officers', 'officer_roster') }}

),

renamed as (

    select
        unit_code,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(exported_on as date) as exported_on,
        source_file,
        cast(source_line as integer) as source_line,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
