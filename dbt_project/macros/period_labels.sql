{#- Period labels used by every mart: quarter '2024Q2', month '2024-05'. -#}
{% macro quarter_label(date_expr) -%}
    (strftime({{ date_expr }}, '%Y') || 'Q' || cast(quarter({{ date_expr }}) as varchar))
{%- endmacro %}

{% macro month_label(date_expr) -%}
    strftime({{ date_expr }}, '%Y-%m')
{%- endmacro %}
