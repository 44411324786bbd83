{#- The deduplication rule of every source whose records are exported again as they progress (submissions, feedback):
    one row per `key_column`, the most advanced copy (`progress_order`: SQL expressions, larger = further along), then
    the latest time in the record (the greatest of `time_columns`; DuckDB's greatest() skips NULLs), then the last
    source file name, then the last line. Only the rows decide, never when or in which order the files were loaded.
    Expands to a select over the CTE or relation `copies`. -#}
{% macro keep_most_advanced_copy(copies, key_column, progress_order, time_columns) -%}
    {{ return(adapter.dispatch('keep_most_advanced_copy', 'edukpi')(copies, key_column, progress_order, time_columns)) }}
{%- endmacro %}

{% macro _copy_order(key_column, progress_order, time_columns) -%}
            row_number() over (
                partition by {{ key_column }}
                order by
                    {%- for progress in progress_order %}
                    {{ progress }} desc,
                    {%- endfor %}
                    {# Spark's greatest() wants two arguments or more #}
                    {%- if time_columns | length > 1 %}
                    greatest({{ time_columns | join(', ') }}) desc nulls last,
                    {%- else %}
                    {{ time_columns[0] }} desc nulls last,
                    {%- endif %}
                    source_file desc,
                    source_line desc
            )
{%- endmacro %}

{% macro default__keep_most_advanced_copy(copies, key_column, progress_order, time_columns) -%}
    select * exclude (copy_rank)
    from (
        select
            *,
{{ _copy_order(key_column, progress_order, time_columns) }} as copy_rank

        from {{ copies }}
    )
    where copy_rank = 1
{%- endmacro %}

{#- Spark has no `* exclude`: the row travels as one struct beside its rank and is unpacked again (Spark's greatest() skips
    NULLs too). -#}
{% macro spark__keep_most_advanced_copy(copies, key_column, progress_order, time_columns) -%}
    select copy_row.*
    from (
        select
            struct(*) as copy_row,
{{ _copy_order(key_column, progress_order, time_columns) }} as copy_rank

        from {{ copies }}
    )
    where copy_rank = 1
{%- endmacro %}
