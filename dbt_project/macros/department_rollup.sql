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
