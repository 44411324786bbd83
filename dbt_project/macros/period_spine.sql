{#- The periods of the kpi_* marts: month (1 month) and quarter (3 months), starting on the first day. -#}

{#- Every period start of `grain` ('month' or 'quarter') from the one holding `first_date` to the one holding
    `last_date`, empty periods included, as a set-returning DATE expression (one row per period). -#}
{% macro period_starts(grain, first_date, last_date) -%}
    {{ return(adapter.dispatch('period_starts', 'edukpi')(grain, first_date, last_date)) }}
{%- endmacro %}

{% macro default__period_starts(grain, first_date, last_date) -%}
    cast(unnest(generate_series(
        cast(date_trunc('{{ grain }}', {{ first_date }}) as timestamp),
        cast(date_trunc('{{ grain }}', {{ last_date }}) as timestamp),
        interval {{ 1 if grain == 'month' else 3 }} month
    )) as date)
{%- endmacro %}

{#- Spark: explode(sequence(...)) is its set-returning form (put it alone in a select list with constants or columns of a
    one-row relation, as the DuckDB form). -#}
{% macro spark__period_starts(grain, first_date, last_date) -%}
    explode(sequence(
        cast(date_trunc('{{ grain }}', {{ first_date }}) as date),
        cast(date_trunc('{{ grain }}', {{ last_date }}) as date),
        interval {{ 1 if grain == 'month' else 3 }} month
    ))
{%- endmacro %}

{#- The length of a period whose grain is the SQL expression `grain_expr`. -#}
{% macro period_length(grain_expr) -%}
    case when {{ grain_expr }} = 'month' then interval 1 month else interval 3 month end
{%- endmacro %}

{#- The label of a period: '2024-05' for a month, '2024Q2' for a quarter. -#}
{% macro period_label(grain_expr, start_expr) -%}
    case
        when {{ grain_expr }} = 'month' then {{ month_label(start_expr) }}
        else {{ quarter_label(start_expr) }}
    end
{%- endmacro %}
