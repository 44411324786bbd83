{#- The kpi_* marts that show each unit and the whole department (unit_code NULL): aggregate once with
    `group by {{ group_by_unit_and_department(period_columns) }}` and `{{ is_department_row() }} as is_department`,
    then `{{ unit_and_department_rows(...) }}` keeps the units' rows and gives the department a row for every period. -#}

{% macro group_by_unit_and_department(period_columns) -%}
    grouping sets (({{ period_columns | join(', ') }}, unit_code), ({{ period_columns | join(', ') }}))
{%- endmacro %}

{% macro is_department_row() -%}
    grouping(unit_code) = 1
{%- endmacro %}

{#- `aggregated`: the grouped rows (period columns first); `department_periods`: every period the department shows, empty
    ones included (a relation with the period columns). A row without a unit (a sender that matched no unit, a ticket
    assigned to none) counts for the department only. -#}
{% macro unit_and_department_rows(aggregated, department_periods, period_columns) -%}
    {{ return(adapter.dispatch('unit_and_department_rows', 'edukpi')(aggregated, department_periods, period_columns)) }}
{%- endmacro %}

{% macro default__unit_and_department_rows(aggregated, department_periods, period_columns) -%}
    select *
    from {{ aggregated }}
    where not is_department
        and unit_code is not null

    union all

    select
        {%- for column in period_columns %}
        {{ department_periods }}.{{ column }},
        {%- endfor %}
        {{ aggregated }}.* exclude ({{ period_columns | join(', ') }})

    from {{ department_periods }}
    left join {{ aggregated }}
        on {{ aggregated }}.is_department
        {%- for column in period_columns %}
        and {{ department_periods }}.{{ column }} = {{ aggregated }}.{{ column }}
        {%- endfor %}
{%- endmacro %}

{#- Spark has no `* exclude`: the department's rows are joined to its periods `using` the period columns, which puts them
    first, from the right side (the periods), then the other columns in `aggregated`'s order (the period columns come first
    there too, and `department_periods` holds nothing else), so the two halves line up for the union as on DuckDB. -#}
{% macro spark__unit_and_department_rows(aggregated, department_periods, period_columns) -%}
    select *
    from {{ aggregated }}
    where not is_department
        and unit_code is not null

    union all

    select *
    from (select * from {{ aggregated }} where is_department) as department_aggregated
    right join {{ department_periods }}
        using ({{ period_columns | join(', ') }})
{%- endmacro %}
