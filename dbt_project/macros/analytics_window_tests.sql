{#- Data tests of the models rebuilt per analytics day check the rows of the run's days only: a one-day refresh
    re-tests the days it rebuilt (and the neighbouring days a day's files can touch), not 18 months of unchanged rows,
    which were tested when they were built. A full build has no window: every row is tested, as before.

    A test opts in with `config: where: "__analytics_window__(<day column>, <days to widen>)"` (see
    int_portal_access_log_daily.yml). The window is the one the daily models read (EDUKPI_MIN_DATE / EDUKPI_MAX_DATE,
    or --vars min_date / max_date). Rows whose day is NULL are always tested (a not_null test on the day column still
    catches them). Any other `where` works as dbt's own get_where_subquery. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and where.startswith('__analytics_window__(') -%}
        {%- set arguments = where[('__analytics_window__(' | length):].rstrip(') ').split(',') -%}
        {%- set day_column = arguments[0].strip() -%}
        {%- set widen_days = (arguments[1].strip() if arguments | length > 1 else '0') | int -%}
        {%- set first_day, last_day = analytics_days() -%}
        {%- set where = '(' ~ day_column ~ ' is null or ' ~ day_window(day_column, first_day, last_day, widen_days) ~ ')' -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
