{#- Period labels used by every mart: quarter '2024Q2', month '2024-05'. -#}
{% macro quarter_label(date_expr) -%}
    {{ return(adapter.dispatch('quarter_label', 'edukpi')(date_expr)) }}
{%- endmacro %}

{% macro default__quarter_label(date_expr) -%}
    (strftime({{ date_expr }}, '%Y') || 'Q' || cast(quarter({{ date_expr }}) as varchar))
{%- endmacro %}

{% macro spark__quarter_label(date_expr) -%}
    (date_format({{ date_expr }}, 'yyyy') || 'Q' || cast(quarter({{ date_expr }}) as string))
{%- endmacro %}

{% macro month_label(date_expr) -%}
    {{ return(adapter.dispatch('month_label', 'edukpi')(date_expr)) }}
{%- endmacro %}

{% macro default__month_label(date_expr) -%}
    strftime({{ date_expr }}, '%Y-%m')
{%- endmacro %}

{% macro spark__month_label(date_expr) -%}
    date_format({{ date_expr }}, 'yyyy-MM')
{%- endmacro %}
