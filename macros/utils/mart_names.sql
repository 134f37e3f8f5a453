{#- The marts of the project (models in the marts folder), read from dbt's graph at
    execution; mart_availability itself is left out. Empty while parsing. -#}
{% macro mart_names() -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.fqn[1] == 'marts' and node.name != 'mart_availability' -%}
                {%- do names.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names | sort) }}
{%- endmacro %}
