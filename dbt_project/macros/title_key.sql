{#- The form in which a responder's title is compared with data/reference/authorised_responder_titles.csv: its words
    (words_key: accents and đ folded, case, punctuation and repeated spaces dropped). "PHÓ TRƯỞNG PHÒNG",
    "Pho truong  phong" and "Phó Trưởng phòng" are then the same title. -#}
{% macro title_key(expression) -%}
    {{ words_key(expression) }}
{%- endmacro %}
