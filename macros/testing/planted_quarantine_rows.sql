{#- The bad rows the demo generator planted in the export on purpose (entity, rule,
    row_count), from truth.json in crm_export_path (themodel/generator/mess.py); no
    rows for an export without that file, and on targets that read raw tables. -#}
{% macro planted_quarantine_rows() -%}
    {{ return(adapter.dispatch('planted_quarantine_rows', 'the_model')()) }}
{%- endmacro %}

{% macro default__planted_quarantine_rows() -%}
    select
        cast(null as {{ dbt.type_string() }}) as entity,
        cast(null as {{ dbt.type_string() }}) as rule,
        cast(0 as {{ dbt.type_bigint() }}) as row_count
    where 1 = 0
{%- endmacro %}

{% macro duckdb__planted_quarantine_rows() -%}
    {%- set truth = var('crm_export_path') ~ '/truth.json' -%}
    {%- set found = execute and run_query(
        "select count(*) from glob('" ~ truth.replace("'", "''") ~ "')").columns[0].values()[0] > 0 -%}
    {%- if not found -%}
        {{ return(default__planted_quarantine_rows()) }}
    {%- endif -%}
    select
        planted.entity,
        planted.rule,
        planted.row_count
    from (
        select unnest(planted_quarantine) as planted
        from read_json(
            '{{ truth.replace("'", "''") }}',
            columns = {planted_quarantine: 'struct(entity varchar, rule varchar, row_count bigint)[]'}
        )
    )
{%- endmacro %}
