{#- Spark target: (re)register every table of source `raw` over its Parquet folder EDUKPI_SPARK_DIR/raw/<table>, which
    ingestion/spark_handoff.py rewrites from the DuckDB build file before each build (same rows, same quarantine).
    Dropping an external table leaves its files; re-creating it makes Spark read the files as they are now. -#}
{% macro register_spark_raw_tables() %}
    {% if execute and target.type == 'spark' %}
        {% set raw_dir = env_var('EDUKPI_SPARK_DIR', '../data/build/spark') ~ '/raw' %}
        {% do run_query('create schema if not exists raw') %}
        {% for source in graph.sources.values() if source.source_name == 'raw' %}
            {% do run_query('drop table if exists raw.' ~ source.name) %}
            {% do run_query("create table raw." ~ source.name ~ " using parquet location '" ~ raw_dir ~ "/" ~ source.name ~ "'") %}
        {% endfor %}
    {% endif %}
{% endmacro %}
