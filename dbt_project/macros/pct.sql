{#- A percentage 0–100 rounded to 1 decimal, NULL when the denominator is 0 or NULL (house rule for every *_pct column).
    Divided as doubles on every engine (DuckDB's `/` does; Spark would divide decimals), so the rounding agrees. -#}
{% macro pct(numerator, denominator) -%}
    cast(round(100.0 * cast({{ numerator }} as double) / nullif({{ denominator }}, 0), 1) as double)
{%- endmacro %}
