{#- How a post is tied to a portal article (kpi_social_crossposting): by link, else by title. -#}

{#- A link compared without scheme, "www.", query, fragment, trailing slash or trailing punctuation, in lower case. -#}
{% macro normalised_url(expr) -%}
    nullif(regexp_replace(regexp_replace(regexp_replace(lower(trim({{ expr }})),
        '^[a-z][a-z0-9+.-]*://(www\.)?', ''), '[?#].*$', ''), '[/.,;:!)]+$', ''), '')
{%- endmacro %}

{#- Free text compared as its words (post titles, plan keywords, disclosure rules, responder titles): NFC, đ -> d,
    accents, case, emoji and punctuation dropped, single spaces. -#}
{% macro words_key(expr) -%}
    nullif(trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize({{ expr }}), 'đ', 'd'), 'Đ', 'D'))),
        '[^a-z0-9]+', ' ', 'g')), '')
{%- endmacro %}
