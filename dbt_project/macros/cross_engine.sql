{#-
    The few expressions whose SQL differs between DuckDB (target `build`) and Spark (target `spark`, EDUKPI_ENGINE=spark).
    Every model is written once; what differs goes through one of these macros. The `default__` versions are the DuckDB
    SQL the models always had, so the DuckDB build is unchanged; `spark__` gives the same values on Spark SQL
    (checked mart by mart by `make spark-check`).
-#}

{#- The text type of casts: DuckDB's varchar; Spark refuses varchar without a length and calls it string. -#}
{% macro string_type() -%}
    {{ return(adapter.dispatch('string_type', 'edukpi')()) }}
{%- endmacro %}

{% macro default__string_type() -%}
    varchar
{%- endmacro %}

{% macro spark__string_type() -%}
    string
{%- endmacro %}

{#- dbt's contract check casts NULL to each data_type of the yml (varchar): on Spark that cast must name string. -#}
{% macro spark__cast(field, type) -%}
    {%- set spark_type = 'string' if type | trim | lower in ('varchar', 'text') else api.Column.translate_type(type) -%}
    cast({{ field }} as {{ spark_type }})
{%- endmacro %}

{#- A date (or timestamp) plus a whole number of months, as a date on Spark (add_months keeps the day-of-month rule). -#}
{% macro add_months(date_expr, months) -%}
    {{ return(adapter.dispatch('add_months', 'edukpi')(date_expr, months)) }}
{%- endmacro %}

{% macro default__add_months(date_expr, months) -%}
    ({{ date_expr }} + interval ({{ months }}) month)
{%- endmacro %}

{% macro spark__add_months(date_expr, months) -%}
    add_months({{ date_expr }}, {{ months }})
{%- endmacro %}

{% macro add_days(date_expr, days) -%}
    {{ return(adapter.dispatch('add_days', 'edukpi')(date_expr, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, days) -%}
    ({{ date_expr }} + interval ({{ days }}) day)
{%- endmacro %}

{% macro spark__add_days(date_expr, days) -%}
    date_add({{ date_expr }}, {{ days }})
{%- endmacro %}

{#- Calendar days from the first date to the second (dates; negative when the second is earlier). -#}
{% macro days_between(first_date, second_date) -%}
    {{ return(adapter.dispatch('days_between', 'edukpi')(first_date, second_date)) }}
{%- endmacro %}

{% macro default__days_between(first_date, second_date) -%}
    date_diff('day', {{ first_date }}, {{ second_date }})
{%- endmacro %}

{% macro spark__days_between(first_date, second_date) -%}
    datediff({{ second_date }}, {{ first_date }})
{%- endmacro %}

{#- The interpolated quantile (a double; NULLs ignored): DuckDB's quantile_cont is Spark's exact percentile. -#}
{% macro quantile_cont(expr, fraction) -%}
    {{ return(adapter.dispatch('quantile_cont', 'edukpi')(expr, fraction)) }}
{%- endmacro %}

{% macro default__quantile_cont(expr, fraction) -%}
    quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}

{% macro spark__quantile_cont(expr, fraction) -%}
    percentile({{ expr }}, {{ fraction }})
{%- endmacro %}

{#- The value of the row with the greatest key. A tie on the key goes to a non-NULL value, then the greatest value, so both
    engines pick the same row (arg_max alone picks any of the tied rows; the engines order NULLs in a struct differently). -#}
{% macro arg_max(value_expr, key_expr) -%}
    {{ return(adapter.dispatch('arg_max', 'edukpi')(value_expr, key_expr)) }}
{%- endmacro %}

{% macro default__arg_max(value_expr, key_expr) -%}
    arg_max({{ value_expr }}, ({{ key_expr }}, {{ value_expr }} is not null, {{ value_expr }}))
{%- endmacro %}

{% macro spark__arg_max(value_expr, key_expr) -%}
    max_by({{ value_expr }}, struct({{ key_expr }}, {{ value_expr }} is not null, {{ value_expr }}))
{%- endmacro %}

{#- Distinct pairs (a, b), a pair with a NULL member counted like any other (DuckDB's row value semantics). -#}
{% macro count_distinct_pair(first_expr, second_expr) -%}
    {{ return(adapter.dispatch('count_distinct_pair', 'edukpi')(first_expr, second_expr)) }}
{%- endmacro %}

{% macro default__count_distinct_pair(first_expr, second_expr) -%}
    count(distinct ({{ first_expr }}, {{ second_expr }}))
{%- endmacro %}

{% macro spark__count_distinct_pair(first_expr, second_expr) -%}
    count(distinct struct({{ first_expr }}, {{ second_expr }}))
{%- endmacro %}

{#- arg_max with a tuple of keys (the row with the greatest keys, compared left to right): DuckDB's row value, Spark's
    struct. -#}
{% macro arg_max_by_keys(value_expr, key_exprs) -%}
    {{ return(adapter.dispatch('arg_max_by_keys', 'edukpi')(value_expr, key_exprs)) }}
{%- endmacro %}

{% macro default__arg_max_by_keys(value_expr, key_exprs) -%}
    arg_max({{ value_expr }}, ({{ key_exprs | join(', ') }}))
{%- endmacro %}

{% macro spark__arg_max_by_keys(value_expr, key_exprs) -%}
    max_by({{ value_expr }}, struct({{ key_exprs | join(', ') }}))
{%- endmacro %}

{#- Every column but `columns` (of `relation`, a CTE or alias, when given): DuckDB's `* exclude`; on Spark a regular
    expression in back-quotes, which the `spark` target reads as a column pattern (spark.sql.parser.quotedRegexColumnNames
    in profiles.yml): every name that is not one of `columns`. -#}
{% macro star_except(columns, relation=none) -%}
    {{ return(adapter.dispatch('star_except', 'edukpi')(columns, relation)) }}
{%- endmacro %}

{% macro default__star_except(columns, relation=none) -%}
    {% if relation %}{{ relation }}.{% endif %}* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns, relation=none) -%}
    {% if relation %}{{ relation }}.{% endif %}`(?!({{ columns | join('|') }})$).+`
{%- endmacro %}
