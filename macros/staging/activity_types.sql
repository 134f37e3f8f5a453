{#- The type an activity gets when the export gives none: var('default_activity_type'),
    checked at compile time so a misspelt setting stops the build with a message
    instead of quarantining every untyped activity as unknown_activity_type. -#}
{% macro default_activity_type() -%}
    {%- set accepted = ['call', 'email', 'meeting', 'other'] -%}
    {%- set value = var('default_activity_type', 'other') -%}
    {%- if value not in accepted -%}
        {{ exceptions.raise_compiler_error(
            "default_activity_type '" ~ value ~ "' is not an activity type; use one of: "
            ~ accepted | join(', ') ~ " (dbt_project.yml vars, or --vars '{default_activity_type: call}')") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- The activity types the activity KPIs count; `other` is kept in the facts but
    counted by none of them (the marts show how many there were beside the KPI). -#}
{% macro kpi_activity_types() -%}
    {{ return(['call', 'email', 'meeting']) }}
{%- endmacro %}

{% macro is_kpi_activity(column) -%}
    {{ column }} in ('{{ kpi_activity_types() | join("', '") }}')
{%- endmacro %}

{#- Left join to seeds/activity_type_mapping.csv for the activity_type label of the
    source's rows: each distinct raw label is cleaned and mapped once, then joined
    back on its raw text (like join_stage_label). -#}
{% macro join_activity_type(alias, source_system) -%}
    left join (
        select
            labels.raw_label,
            mapping.activity_type
        from (select distinct raw_activity_type as raw_label from copies_numbered) as labels
        inner join {{ ref('activity_type_mapping') }} as mapping
            on mapping.source_system = '{{ source_system }}'
            and {{ clean_label('mapping.source_label') }} = {{ clean_label('labels.raw_label') }}
    ) as {{ alias }}
        on {{ alias }}.raw_label = raw.raw_activity_type
{%- endmacro %}
