{#- Models land in schemas named exactly as configured (staging, intermediate,
    marts, quarantine), not <target_schema>_<name>, so BI users see the same
    names on every target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
