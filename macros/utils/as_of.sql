{#- The as-of moment and date (models/intermediate/core/int_as_of_date.sql) as scalar subqueries. -#}
{% macro as_of_at() -%}
    (select as_of_at from {{ ref('int_as_of_date') }})
{%- endmacro %}

{% macro as_of_date() -%}
    (select as_of_date from {{ ref('int_as_of_date') }})
{%- endmacro %}
