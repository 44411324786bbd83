{#- unit_name of the whole-department rows (unit_code NULL) in the kpi_* marts. -#}
{% macro department_label() -%}
    'Toàn Sở'
{%- endmacro %}
