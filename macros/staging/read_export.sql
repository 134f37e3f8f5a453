{#- Read one export entity as all-text columns with the names the project expects.

    Headers are matched after trimming and lower-casing; an absent optional column
    becomes null; an absent required column stops the build with a message that
    names the file and the column; an absent optional file gives an empty relation.
    Adds _source_row (1-based position in the file) and _source_file. -#}
{% macro read_export(source_name, entity) -%}
    {#- source() registers lineage; on DuckDB the rows come straight from the file. -#}
    {%- set relation = source(source_name, entity) -%}
    {%- set spec = export_columns(source_name)[entity] -%}
    {%- set columns, required = spec['columns'], spec['required'] -%}
    {{ return(adapter.dispatch('read_export', 'the_model')(relation, entity, columns, required)) }}
{%- endmacro %}

{% macro duckdb__read_export(relation, entity, columns, required) -%}
    {%- set file = export_file(entity) if execute else none -%}
    {%- if file is none -%}
        {%- if execute and entity in var('required_export_files') -%}
            {#- fails when the model runs, not when it compiles, so lint and docs work without exports -#}
            select
                {%- for column in columns %}
                cast(null as {{ dbt.type_string() }}) as {{ column }},
                {%- endfor %}
                cast(error('Export file {{ var("crm_export_path") }}/{{ entity }}.csv (or .parquet) is missing. It is required: set crm_export_path to the folder holding your exports (see docs/generic_format.md).') as {{ dbt.type_bigint() }}) as _source_row,
                cast(null as {{ dbt.type_string() }}) as _source_file
        {%- else -%}
            {{ empty_export(columns) }}
        {%- endif -%}
    {%- else -%}
        {%- set reader = export_reader(file) -%}
        {%- set found = {} -%}
        {%- for row in run_query("describe select * from " ~ reader) -%}
            {%- do found.update({row[0] | trim | lower: row[0]}) -%}
        {%- endfor -%}
        {%- for column in required if column not in found -%}
            {{ exceptions.raise_compiler_error(
                "Export file " ~ file ~ " has no column '" ~ column ~ "', which is required for "
                ~ entity ~ ". Columns found: " ~ (found.keys() | list | sort | join(', '))
                ~ ". Add the column (headers are matched case-insensitively) or see docs/generic_format.md.") }}
        {%- endfor -%}
        select
            {%- for column in columns %}
            {% if column in found -%}
                cast({{ adapter.quote(found[column]) }} as {{ dbt.type_string() }})
            {%- else -%}
                cast(null as {{ dbt.type_string() }})
            {%- endif %} as {{ column }},
            {%- endfor %}
            row_number() over () as _source_row,
            '{{ file.split("/")[-1] }}' as _source_file
        from {{ reader }}
    {%- endif -%}
{%- endmacro %}

{% macro default__read_export(relation, entity, columns, required) -%}
    {#- Other targets read the raw table the loader wrote (all text, lower-case headers). -#}
    {%- set existing = load_relation(relation) if execute else none -%}
    {%- if existing is none -%}
        {{ empty_export(columns) }}
    {%- else -%}
        {%- set found = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list -%}
        select
            {%- for column in columns %}
            {% if column in found -%}
                cast({{ column }} as {{ dbt.type_string() }})
            {%- else -%}
                cast(null as {{ dbt.type_string() }})
            {%- endif %} as {{ column }},
            {%- endfor %}
            cast(_source_row as {{ dbt.type_bigint() }}) as _source_row,
            _source_file
        from {{ existing }}
    {%- endif -%}
{%- endmacro %}

{% macro export_columns(source_name) -%}
    {%- if source_name == 'generic' -%}
        {{ return(generic_export_columns()) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("no export column list for source '" ~ source_name ~ "'") }}
{%- endmacro %}

{% macro empty_export(columns) -%}
    select
        {%- for column in columns %}
        cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_bigint() }}) as _source_row,
        cast(null as {{ dbt.type_string() }}) as _source_file
    where 1 = 0
{%- endmacro %}

{#- The path of an entity's export file (CSV wins over Parquet), or none. -#}
{% macro export_file(entity) -%}
    {%- set folder = var('crm_export_path') | replace("'", "''") -%}
    {%- set found = run_query(
        "select file from glob('" ~ folder ~ "/" ~ entity ~ ".csv') union all "
        ~ "select file from glob('" ~ folder ~ "/" ~ entity ~ ".parquet')") -%}
    {{ return(found.columns[0].values()[0] if found.rows | length > 0 else none) }}
{%- endmacro %}

{% macro export_reader(file) -%}
    {%- if file.endswith('.parquet') -%}
        read_parquet('{{ file }}')
    {%- else -%}
        read_csv('{{ file }}', all_varchar = true, header = true, auto_detect = true)
    {%- endif -%}
{%- endmacro %}
