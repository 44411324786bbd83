{#- Spark target: (re)register every table of schema raw that a source reads over its Parquet folder
    EDUKPI_SPARK_DIR/raw/<table>, which ingestion/spark_handoff.py rewrites from the DuckDB build file before each build
    (same rows, same quarantine). Dropping an external table leaves its files; re-creating it makes Spark read the files
    as they are now. Several sources may name one table: it is registered once. -#}
{% macro register_spark_raw_tables() %}
    {% if execute and target.type == 'spark' %}
        {% set raw_dir = env_var('EDUKPI_SPARK_DIR', '../data/build/spark') ~ '/raw' %}
        {% do run_query('create schema if not exists raw') %}
        {% set tables = [] %}
        {% for source in graph.sources.values() if source.schema == 'raw' and source.identifier not in tables %}
            {% do tables.append(source.identifier) %}
        {% endfor %}
        {% for table in tables %}
            {% do run_query('drop table if exists raw.' ~ table) %}
            {% do run_query("create table raw." ~ table ~ " using parquet location '" ~ raw_dir ~ "/" ~ table ~ "'") %}
        {% endfor %}
    {% endif %}
{% endmacro %}
