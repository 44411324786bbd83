{#- The form in which a responder's title is compared with seeds/authorised_responder_titles.csv: accents stripped
    (strip_accents keeps đ, so lower() folds Đ to đ), lower case, runs of spaces made one, ends trimmed. "PHÓ TRƯỞNG
    PHÒNG", "Pho truong  phong" and "Phó Trưởng phòng" are then the same title. -#}
{% macro title_key(expression) -%}
    trim(regexp_replace(lower(strip_accents({{ expression }})), '\s+', ' ', 'g'))
{%- endmacro %}
