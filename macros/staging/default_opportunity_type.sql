{#- The type a deal gets when the export gives none: var('default_opportunity_type'),
    checked at compile time so a misspelt setting stops the build with a message
    instead of quarantining every untyped deal as unknown_opportunity_type. -#}
{% macro default_opportunity_type() -%}
    {%- set accepted = ['new_business', 'renewal', 'expansion'] -%}
    {%- set value = var('default_opportunity_type', 'new_business') -%}
    {%- if value not in accepted -%}
        {{ exceptions.raise_compiler_error(
            "default_opportunity_type '" ~ value ~ "' is not an opportunity type; use one of: "
            ~ accepted | join(', ') ~ " (dbt_project.yml vars, or --vars '{default_opportunity_type: renewal}')") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
