{#- PostgreSQL: a timestamp without time zone read as UTC, then shown in the zone. -#}
{% macro postgres__business_time(timestamp, zone) -%}
    (({{ timestamp }}) at time zone 'UTC' at time zone '{{ zone }}')
{%- endmacro %}
