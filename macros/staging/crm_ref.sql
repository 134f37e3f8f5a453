{#- The source-specific staging model of an entity for the chosen crm_source. -#}
{% macro crm_ref(entity) -%}
    {%- set supported = ['generic', 'salesforce'] -%}
    {%- if var('crm_source') not in supported -%}
        {{ exceptions.raise_compiler_error(
            "crm_source '" ~ var('crm_source') ~ "' is not supported yet; use one of: "
            ~ supported | join(', ')) }}
    {%- endif -%}
    {{ return(ref('stg_' ~ var('crm_source') ~ '__' ~ entity)) }}
{%- endmacro %}
