{#- The as-of date of the reminders and of "due and still nothing": dbt var as_of_date, else env EDUKPI_AS_OF_DATE,
    else `fallback_expr` (the latest day in the data, as the quota mart does). -#}
{% macro as_of_date(fallback_expr) -%}
    {%- set configured = var('as_of_date', env_var('EDUKPI_AS_OF_DATE', '')) -%}
    {%- if configured -%} cast('{{ configured }}' as date) {%- else -%} {{ fallback_expr }} {%- endif -%}
{%- endmacro %}

{#- The quarters (1-4) a plan item is due in, from its period text as the plan writes it: "Thường xuyên" (ongoing) =
    every quarter; otherwise the Roman numerals after "Quý" ("Quý II", "Quý II, III", "Quý II–III"). -#}
{% macro plan_due_quarters(period_expr) -%}
    case
        when {{ words_key(period_expr) }} like '%thuong xuyen%' then [1, 2, 3, 4]
        else list_transform(
            regexp_extract_all(upper({{ period_expr }}), '\b(IV|III|II|I)\b'),
            roman -> case roman when 'I' then 1 when 'II' then 2 when 'III' then 3 when 'IV' then 4 end
        )
    end
{%- endmacro %}
