{#- Spark (session time zone UTC): the UTC timestamp shown in the zone. -#}
{% macro spark__business_time(timestamp, zone) -%}
    from_utc_timestamp({{ timestamp }}, '{{ zone }}')
{%- endmacro %}
