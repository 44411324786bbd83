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

{#- The value of the row with the least key (keys unique within the group where the models use it). -#}
{% macro arg_min(value_expr, key_expr) -%}
    {{ return(adapter.dispatch('arg_min', 'edukpi')(value_expr, key_expr)) }}
{%- endmacro %}

{% macro default__arg_min(value_expr, key_expr) -%}
    arg_min({{ value_expr }}, {{ key_expr }})
{%- endmacro %}

{% macro spark__arg_min(value_expr, key_expr) -%}
    min_by({{ value_expr }}, {{ key_expr }})
{%- endmacro %}

{#- arg_min with a tuple of keys (the row with the least keys, compared left to right). -#}
{% macro arg_min_by_keys(value_expr, key_exprs) -%}
    {{ return(adapter.dispatch('arg_min_by_keys', 'edukpi')(value_expr, key_exprs)) }}
{%- endmacro %}

{% macro default__arg_min_by_keys(value_expr, key_exprs) -%}
    arg_min({{ value_expr }}, ({{ key_exprs | join(', ') }}))
{%- endmacro %}

{% macro spark__arg_min_by_keys(value_expr, key_exprs) -%}
    min_by({{ value_expr }}, struct({{ key_exprs | join(', ') }}))
{%- endmacro %}

{#- One row per piece of a text cut at `separator` (a single character, not special in a regular expression: Spark's
    split takes a pattern); a NULL text gives no row. Used in a select list, as DuckDB's unnest / Spark's explode. -#}
{% macro split_to_rows(text_expr, separator) -%}
    {{ return(adapter.dispatch('split_to_rows', 'edukpi')(text_expr, separator)) }}
{%- endmacro %}

{% macro default__split_to_rows(text_expr, separator) -%}
    unnest(string_split({{ text_expr }}, '{{ separator }}'))
{%- endmacro %}

{% macro spark__split_to_rows(text_expr, separator) -%}
    explode(split({{ text_expr }}, '{{ separator }}'))
{%- endmacro %}

{#- One row per match of a regular expression in a text (the whole match), in a select list. `pattern` is the pattern as
    written (no SQL quotes): Spark's string literals read backslashes as escapes, so there they are doubled; Spark's
    regexp_extract_all returns group 1 unless told 0. -#}
{% macro regexp_matches_to_rows(text_expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches_to_rows', 'edukpi')(text_expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_matches_to_rows(text_expr, pattern) -%}
    unnest(regexp_extract_all({{ text_expr }}, '{{ pattern }}'))
{%- endmacro %}

{% macro spark__regexp_matches_to_rows(text_expr, pattern) -%}
    explode(regexp_extract_all({{ text_expr }}, '{{ pattern | replace("\\", "\\\\") }}', 0))
{%- endmacro %}

{#- Whole minutes from the first timestamp to the second as DuckDB's date_diff counts them: minute boundaries crossed
    (10:00:50 to 10:01:10 is 1), so Spark truncates both to the minute before counting. -#}
{% macro minutes_between(first_ts, second_ts) -%}
    {{ return(adapter.dispatch('minutes_between', 'edukpi')(first_ts, second_ts)) }}
{%- endmacro %}

{% macro default__minutes_between(first_ts, second_ts) -%}
    date_diff('minute', {{ first_ts }}, {{ second_ts }})
{%- endmacro %}

{% macro spark__minutes_between(first_ts, second_ts) -%}
    timestampdiff(MINUTE, date_trunc('minute', {{ first_ts }}), date_trunc('minute', {{ second_ts }}))
{%- endmacro %}

{#- Seconds (a double, fractions kept) from the first timestamp to the second. -#}
{% macro seconds_between(first_ts, second_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'edukpi')(first_ts, second_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(first_ts, second_ts) -%}
    epoch({{ second_ts }} - {{ first_ts }})
{%- endmacro %}

{% macro spark__seconds_between(first_ts, second_ts) -%}
    (cast(timestampdiff(MICROSECOND, {{ first_ts }}, {{ second_ts }}) as double) / 1000000)
{%- endmacro %}

{#- A timestamp plus a whole number of hours. -#}
{% macro add_hours(ts_expr, hours) -%}
    {{ return(adapter.dispatch('add_hours', 'edukpi')(ts_expr, hours)) }}
{%- endmacro %}

{% macro default__add_hours(ts_expr, hours) -%}
    ({{ ts_expr }} + to_hours({{ hours }}))
{%- endmacro %}

{% macro spark__add_hours(ts_expr, hours) -%}
    timestampadd(HOUR, {{ hours }}, {{ ts_expr }})
{%- endmacro %}

{#- The texts joined with `separator` in the order of `order_by` (a list of expressions, ascending; NULLs skipped, NULL when
    there is none). A FILTER clause may follow. DuckDB sorts NULL keys last, Spark first unless told. -#}
{% macro string_agg_ordered(text_expr, separator, order_by) -%}
    {{ return(adapter.dispatch('string_agg_ordered', 'edukpi')(text_expr, separator, order_by)) }}
{%- endmacro %}

{% macro default__string_agg_ordered(text_expr, separator, order_by) -%}
    string_agg({{ text_expr }}, '{{ separator }}' order by {{ order_by | join(', ') }})
{%- endmacro %}

{% macro spark__string_agg_ordered(text_expr, separator, order_by) -%}
    listagg({{ text_expr }}, '{{ separator }}') within group (order by {{ order_by | join(' nulls last, ') }} nulls last)
{%- endmacro %}

{#- A timestamp plus a whole number of days, the time of day kept (Spark's date_add, behind add_days, returns a date). -#}
{% macro timestamp_add_days(ts_expr, days) -%}
    {{ return(adapter.dispatch('timestamp_add_days', 'edukpi')(ts_expr, days)) }}
{%- endmacro %}

{% macro default__timestamp_add_days(ts_expr, days) -%}
    ({{ ts_expr }} + to_days({{ days }}))
{%- endmacro %}

{% macro spark__timestamp_add_days(ts_expr, days) -%}
    timestampadd(DAY, {{ days }}, {{ ts_expr }})
{%- endmacro %}

{#- The analytics days of the run, [first day, last day] as ISO dates: var min_date / max_date (dbt CLI), else
    EDUKPI_MIN_DATE / EDUKPI_MAX_DATE (what Dagster passes), else every day. Read only when dbt executes, never while it
    parses: an env_var() read during parsing ties the file to the variable, and every new window would make dbt re-parse
    each file that reads it (about 1.5 s per refresh for the nine daily models). -#}
{% macro analytics_days() -%}
    {%- if execute -%}
        {{ return([var("min_date", env_var("EDUKPI_MIN_DATE", "1900-01-01")) | string,
                   var("max_date", env_var("EDUKPI_MAX_DATE", "2999-12-31")) | string]) }}
    {%- else -%}
        {{ return(["1900-01-01", "2999-12-31"]) }}
    {%- endif -%}
{%- endmacro %}

{#- The analytics days a run rebuilds, as a filter on a day column: [first_day - widen_days, last_day + widen_days]
    (first_day, last_day from analytics_days()). widen_days covers rows a day's file can hold for a neighbouring day (an
    access log rotated at midnight holds the last seconds of the day before). -#}
{% macro day_window(day_column, first_day, last_day, widen_days=0) -%}
    {%- if widen_days == 0 %}
    {{ day_column }} between cast('{{ first_day }}' as date) and cast('{{ last_day }}' as date)
    {%- else %}
    {{ day_column }} between cast({{ add_days("cast('" ~ first_day ~ "' as date)", -widen_days) }} as date)
                     and cast({{ add_days("cast('" ~ last_day ~ "' as date)", widen_days) }} as date)
    {%- endif %}
{%- endmacro %}

{#- The whole calendar months the run's analytics days reach, as a filter on a day column: from the first day of the
    month of first_day - widen_days to the last day of the month of last_day + widen_days (models per month rebuild
    those months). -#}
{% macro month_window(day_column, first_day, last_day, widen_days=0) -%}
    {%- set datetime = modules.datetime -%}
    {%- set first = datetime.date.fromisoformat(first_day | string) - datetime.timedelta(days=widen_days) -%}
    {%- set last = datetime.date.fromisoformat(last_day | string) + datetime.timedelta(days=widen_days) -%}
    {%- set next_month = (last.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) -%}
    {{ day_column }} between cast('{{ first.replace(day=1).isoformat() }}' as date)
                     and cast('{{ (next_month - datetime.timedelta(days=1)).isoformat() }}' as date)
{%- endmacro %}

{#- Placed after the `select` of an incremental model partitioned by day or month on Spark: each partition is written by
    one task, so as one file. Without it every task of the last stage writes a file into every partition it holds rows
    of (int_portal_pages_daily, a union of three sources: three files per day, 1,634 in the tiny preset's 547 days), and
    writing thousands of small files is what made the daily models the slowest on Spark. Nothing on DuckDB. -#}
{% macro one_file_per_partition() -%}
    {{ return(adapter.dispatch('one_file_per_partition', 'edukpi')()) }}
{%- endmacro %}

{% macro default__one_file_per_partition() -%}
{%- endmacro %}

{% macro spark__one_file_per_partition() -%}
    {%- set partition_by = config.get('partition_by') -%}
    {%- if partition_by -%}
        {%- set columns = [partition_by] if partition_by is string else partition_by -%}
        /*+ REPARTITION({{ columns | join(', ') }}) */
    {%- endif -%}
{%- endmacro %}
