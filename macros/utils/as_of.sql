{#- The as-of moment and date (models/intermediate/core/int_as_of_date.sql) as scalar subqueries. -#}
{% macro as_of_at() -%}
    (select as_of_at from {{ ref('int_as_of_date') }})
{%- endmacro %}

{% macro as_of_date() -%}
    (select as_of_date from {{ ref('int_as_of_date') }})
{%- endmacro %}

{#- var('as_of_date') as a timestamp literal, or a typed null when unset. -#}
{% macro as_of_literal() -%}
    {%- if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{#- The last day of the month a date falls in. -#}
{% macro month_end_date(day) -%}
    {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', day))) }}
{%- endmacro %}
