{#- The as-of date of the reminders and of "due and still nothing": dbt var as_of_date, else env EDUKPI_AS_OF_DATE,
    else `fallback_expr` (the latest day in the data, as the quota mart does). -#}
{% macro as_of_date(fallback_expr) -%}
    {%- set configured = var('as_of_date', env_var('EDUKPI_AS_OF_DATE', '')) -%}
    {%- if configured -%} cast('{{ configured }}' as date) {%- else -%} {{ fallback_expr }} {%- endif -%}
{%- endmacro %}

{#- Whether a plan item is due in quarter `quarter_expr` (1-4), by its period text as the plan writes it: "Thường xuyên"
    (ongoing) = every quarter; otherwise the quarters whose Roman numerals follow "Quý" ("Quý II", "Quý II, III",
    "Quý II–III"). -#}
{% macro plan_item_due_in(period_expr, quarter_expr) -%}
    {{ return(adapter.dispatch('plan_item_due_in', 'edukpi')(period_expr, quarter_expr)) }}
{%- endmacro %}

{% macro default__plan_item_due_in(period_expr, quarter_expr) -%}
    list_contains(
        case
            when {{ words_key(period_expr) }} like '%thuong xuyen%' then [1, 2, 3, 4]
            else list_transform(
                regexp_extract_all(upper({{ period_expr }}), '\b(IV|III|II|I)\b'),
                roman -> case roman when 'I' then 1 when 'II' then 2 when 'III' then 3 when 'IV' then 4 end
            )
        end,
        {{ quarter_expr }}
    )
{%- endmacro %}

{#- Spark's arrays and lambdas are spelt array() and transform(); RE2's \b (DuckDB) is an ASCII word boundary, Java's
    considers every letter, so the boundary is spelt out as an ASCII one (a numeral right after "Đ" counts on both). -#}
{% macro spark__plan_item_due_in(period_expr, quarter_expr) -%}
    array_contains(
        case
            when {{ words_key(period_expr) }} like '%thuong xuyen%' then array(1, 2, 3, 4)
            else transform(
                regexp_extract_all(upper({{ period_expr }}), '(?<![A-Za-z0-9_])(IV|III|II|I)(?![A-Za-z0-9_])', 0),
                roman -> case roman when 'I' then 1 when 'II' then 2 when 'III' then 3 when 'IV' then 4 end
            )
        end,
        {{ quarter_expr }}
    )
{%- endmacro %}
