{#- How a post is tied to a portal article (kpi_social_crossposting): by link, else by title. -#}

{#- A link compared without scheme, "www.", query, fragment, trailing slash or trailing punctuation, in lower case. -#}
{% macro normalised_url(expr) -%}
    nullif(regexp_replace(regexp_replace(regexp_replace(lower(trim({{ expr }})),
        '^[a-z][a-z0-9+.-]*://(www\.)?', ''), '[?#].*$', ''), '[/.,;:!)]+$', ''), '')
{%- endmacro %}

{#- Free text compared as its words (post titles, plan keywords, disclosure rules, responder titles): NFC, đ -> d,
    accents, case, emoji and punctuation dropped, single spaces. -#}
{% macro words_key(expr) -%}
    {{ return(adapter.dispatch('words_key', 'edukpi')(expr)) }}
{%- endmacro %}

{% macro default__words_key(expr) -%}
    nullif(trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize({{ expr }}), 'đ', 'd'), 'Đ', 'D'))),
        '[^a-z0-9]+', ' ', 'g')), '')
{%- endmacro %}

{#- Spark has neither strip_accents nor nfc_normalize: combining marks (text not in NFC) are dropped, and translate() maps
    each precomposed Latin letter with a diacritic to its base letter (the 488 letters of Latin-1 Supplement, Latin
    Extended-A/B and Latin Extended Additional whose decomposition starts with an ASCII letter, all of which DuckDB's
    strip_accents maps the same way; đ has no decomposition and is replaced first, as on DuckDB). Spark's
    regexp_replace replaces every match without a flag. -#}
{% macro spark__words_key(expr) -%}
    nullif(trim(regexp_replace(lower(translate(
        regexp_replace(replace(replace({{ expr }}, 'đ', 'd'), 'Đ', 'D'), '\\p{M}+', ''),
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ',
        'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYyAaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMmMmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVvWwWwWwWwWwXxXxYyZzZzZzhtwyAaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy'
    )), '[^a-z0-9]+', ' ')), '')
{%- endmacro %}
