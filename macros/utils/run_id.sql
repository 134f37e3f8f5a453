{#- The build every mart row comes from (column run_id of each mart): the run_id
    var `python -m themodel run` passes, else dbt's invocation id. A reader that
    sees one run_id across the marts it read saw one publication. -#}
{% macro run_id() -%}
    cast('{{ var("run_id", none) or invocation_id }}' as {{ dbt.type_string() }})
{%- endmacro %}
