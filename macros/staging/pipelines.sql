{#- The pipeline (sales process) of a deal the export gives none for:
    var('default_pipeline_id'). Leads and contracts belong to no sales process
    and are kept under this pipeline too. -#}
{% macro default_pipeline_id() -%}
    {%- set value = var('default_pipeline_id', 'default') -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ exceptions.raise_compiler_error(
            "default_pipeline_id is empty; set it to the id deals without a pipeline get"
            ~ " (dbt_project.yml vars, or --vars '{default_pipeline_id: default}')") }}
    {%- endif -%}
    {{ return(value | string | trim) }}
{%- endmacro %}

{#- A pipeline id as the mapping and the deals compare it: Salesforce record type
    ids in the same form as every other Salesforce id (sf_id), so a mapping row
    may hold the 15- or the 18-character id; other formats trimmed. Null when empty. -#}
{% macro clean_pipeline_id(column, source_system=none) -%}
    {%- if (source_system or var('crm_source')) == 'salesforce' -%}
        {{ sf_id(column) }}
    {%- else -%}
        {{ clean_id(column) }}
    {%- endif -%}
{%- endmacro %}
