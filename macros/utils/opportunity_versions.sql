{#- The versions of each opportunity kept by snapshots.opportunities_snapshot, for
    CRMs that export no field history. Spark has no snapshots without Delta Lake:
    there the current export is the only version, as on a first build elsewhere. -#}
{% macro opportunity_versions() -%}
    {{ return(adapter.dispatch('opportunity_versions', 'the_model')()) }}
{%- endmacro %}

{% macro default__opportunity_versions() -%}
    {{ ref('opportunities_snapshot') }}
{%- endmacro %}

{% macro spark__opportunity_versions() -%}
    (select *, modified_at as dbt_valid_from from {{ ref('stg_crm__opportunities') }})
{%- endmacro %}
