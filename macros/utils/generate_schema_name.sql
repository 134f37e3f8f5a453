{#- Models land in schemas named exactly as configured (staging, intermediate,
    marts, quarantine), not <target_schema>_<name>, so BI users see the same
    names on every target. `themodel run` on PostgreSQL builds into candidate
    schemas (marts__candidate, ...) with the schema_suffix var and swaps them in
    when every check passed. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ (custom_schema_name | trim) ~ var('schema_suffix', '') }}
    {%- endif -%}
{%- endmacro %}
