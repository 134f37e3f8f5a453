{#- Read one export entity as all-text columns with the names the project expects.

    Headers are matched after trimming, lower-casing and dropping underscores and
    spaces (stage_name = StageName); an absent optional column
    becomes null; an absent required column stops the build with a message that
    names the file and the column; an absent optional file gives an empty relation.
    An empty text is null, as an empty CSV field is (Parquet files keep '').
    Adds _source_row (1-based position in the file) and _source_file. -#}
{% macro read_export(source_name, entity) -%}
    {#- source() registers lineage; on DuckDB the rows come straight from the file. -#}
    {%- set relation = source(source_name, entity) -%}
    {%- set spec = export_columns(source_name)[entity] -%}
    {%- set columns, required = spec['columns'], spec['required'] -%}
    {%- set files = spec.get('files', [entity]) -%}
    {%- set file_required = spec.get('file_required', source_name == 'generic' and entity in var('required_export_files')) -%}
    {{ return(adapter.dispatch('read_export', 'the_model')(relation, entity, columns, required, files, file_required)) }}
{%- endmacro %}

{% macro duckdb__read_export(relation, entity, columns, required, files, file_required) -%}
    {%- set file = export_file(files) if execute else none -%}
    {%- if file is none -%}
        {%- if execute and file_required -%}
            {#- fails when the model runs, not when it compiles, so lint and docs work without exports -#}
            select
                {%- for column in columns %}
                cast(null as {{ dbt.type_string() }}) as {{ column }},
                {%- endfor %}
                cast(error('Export file {{ var("crm_export_path") }}/{{ files[0] }}.csv (or .parquet) is missing. It is required: set crm_export_path to the folder holding your exports (see docs/generic_format.md).') as {{ dbt.type_bigint() }}) as _source_row,
                cast(null as {{ dbt.type_string() }}) as _source_file
        {%- else -%}
            {{ empty_export(columns) }}
        {%- endif -%}
    {%- else -%}
        {#- a file in another encoding is read from its UTF-8 copy; messages name the file -#}
        {%- set text_file = export_text_file(file) -%}
        {%- set reader = export_reader(text_file, check_export_text(text_file, relation.schema == 'raw_generic', file)) -%}
        {%- set found = {} -%}
        {%- for row in run_query("describe select * from " ~ reader) -%}
            {%- do found.update({header_key(row[0]): row[0]}) -%}
        {%- endfor -%}
        {%- for column in required if header_key(column) not in found -%}
            {{ exceptions.raise_compiler_error(
                "Export file " ~ file ~ " has no column '" ~ column ~ "', which is required for "
                ~ entity ~ ". Columns found: " ~ (found.keys() | list | sort | join(', '))
                ~ ". Add the column (headers are matched case-insensitively) or see docs/generic_format.md.") }}
        {%- endfor -%}
        select
            {%- for column in columns %}
            {% if header_key(column) in found -%}
                nullif(cast({{ adapter.quote(found[header_key(column)]) }} as {{ dbt.type_string() }}), '')
            {%- else -%}
                cast(null as {{ dbt.type_string() }})
            {%- endif %} as {{ column }},
            {%- endfor %}
            row_number() over () as _source_row,
            '{{ file.split("/")[-1] }}' as _source_file
        from {{ reader }}
    {%- endif -%}
{%- endmacro %}

{% macro default__read_export(relation, entity, columns, required, files, file_required) -%}
    {#- Other targets read the raw table the loader wrote (all text, lower-case headers). -#}
    {%- set existing = load_relation(relation) if execute else none -%}
    {%- if existing is none -%}
        {%- if execute and file_required -%}
            {{ exceptions.raise_compiler_error(
                "Raw table " ~ relation ~ " is missing. It is required: load the exports first with"
                ~ " `python -m themodel load --target " ~ target.type ~ " --exports DIR --source " ~ relation.schema.replace('raw_', '')
                ~ "` (file " ~ files[0] ~ ".csv or .parquet; see docs/generic_format.md).") }}
        {%- endif -%}
        {{ empty_export(columns) }}
    {%- else -%}
        {%- set found = {} -%}
        {%- for name in adapter.get_columns_in_relation(existing) | map(attribute='name') -%}
            {%- do found.update({header_key(name): name}) -%}
        {%- endfor -%}
        {%- for column in required if header_key(column) not in found -%}
            {{ exceptions.raise_compiler_error(
                "Raw table " ~ existing ~ " (loaded from " ~ files | join(' / ') ~ ") has no column '" ~ column
                ~ "', which is required for " ~ entity ~ ". Columns found: "
                ~ (found.keys() | reject('in', ['sourcerow', 'sourcefile']) | list | sort | join(', '))
                ~ ". Add the column (headers are matched case-insensitively) and load again.") }}
        {%- endfor -%}
        select
            {%- for column in columns %}
            {% if header_key(column) in found -%}
                nullif(cast({{ adapter.quote(found[header_key(column)]) }} as {{ dbt.type_string() }}), '')
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
    {%- elif source_name == 'salesforce' -%}
        {#- the objects it reads, and the generic text layout it translates them into -#}
        {%- set columns = generic_export_columns() -%}
        {%- do columns.update(salesforce_export_columns()) -%}
        {{ return(columns) }}
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

{#- The path of an entity's export file, or none: the first name that exists,
    CSV before Parquet. -#}
{% macro export_file(files) -%}
    {%- set folder = var('crm_export_path') | replace("'", "''") -%}
    {%- set globs = [] -%}
    {%- for name in files -%}
        {%- for extension in ['csv', 'parquet'] -%}
            {%- do globs.append("select " ~ (globs | length) ~ " as position, file from glob('"
                ~ folder ~ "/" ~ name ~ "." ~ extension ~ "')") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set found = run_query(globs | join(' union all ') ~ ' order by position') -%}
    {{ return(found.columns[1].values()[0] if found.rows | length > 0 else none) }}
{%- endmacro %}

{#- How a header is matched: StageName, stage_name and " Stage Name " are one column. -#}
{% macro header_key(name) -%}
    {{ return(name | trim | lower | replace('_', '') | replace(' ', '')) }}
{%- endmacro %}

{% macro export_reader(file, delimiter=',') -%}
    {%- if file.endswith('.parquet') -%}
        read_parquet('{{ file }}')
    {%- else -%}
        read_csv('{{ file }}', all_varchar = true, header = true, auto_detect = true, delim = '{{ delimiter }}')
    {%- endif -%}
{%- endmacro %}

{#- The path to read a CSV export from as UTF-8: the file itself, or (var
    export_encoding other than utf-8, file not UTF-8) its UTF-8 copy, made once by
    the SQL function of themodel/duckdb_plugin.py (profiles.yml, plugins). -#}
{% macro export_text_file(file) -%}
    {%- set encoding = var('export_encoding') | string | trim | lower -%}
    {%- if file.endswith('.parquet') or encoding in ['utf-8', 'utf8'] -%}
        {{ return(file) }}
    {%- endif -%}
    {%- set found = run_query(
        "select result[1], result[2] from (select the_model_export_utf8('"
        ~ file | replace("'", "''") ~ "', '" ~ encoding | replace("'", "''") ~ "') as result)"
    ).rows[0] -%}
    {%- if found[1] is not none -%}
        {{ exceptions.raise_compiler_error(found[1]) }}
    {%- endif -%}
    {{ return(found[0]) }}
{%- endmacro %}

{#- Checks a CSV export before DuckDB parses it, so a bad file stops the build
    with a message that names it and the fix instead of a parser error: an
    empty file, text that is not UTF-8 and (generic format) a file cut off in
    its last line. Returns the delimiter, read from the header line: a comma,
    or else the most frequent of semicolon, tab and pipe (a spreadsheet saved
    with a local list separator). Parquet files are not checked. -#}
{% macro check_export_text(text_file, check_truncation, file=none) -%}
    {%- set file = file or text_file -%}
    {%- if file.endswith('.parquet') or not execute -%}
        {{ return(',') }}
    {%- endif -%}
    {%- set found = run_query(
        "select size, body is null as is_not_utf8, left(body, 8192) as head, right(body, 8192) as tail"
        ~ " from (select size, try(decode(content)) as body from read_blob('" ~ text_file ~ "'))"
    ).rows[0] -%}
    {%- if found[0] == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Export file " ~ file ~ " is empty (0 bytes, not even a header row). Export it again;"
            ~ " a file with no rows still needs its header line (see docs/generic_format.md).") }}
    {%- endif -%}
    {%- if found[1] -%}
        {#- names the likely encoding (themodel/encoding.py) and the export_encoding var -#}
        {{ exceptions.raise_compiler_error(run_query(
            "select the_model_not_utf8_message('" ~ file | replace("'", "''") ~ "')").rows[0][0]) }}
    {%- endif -%}
    {%- set header = found[2].split('\n')[0].rstrip('\r') -%}
    {%- set counts = {} -%}
    {%- for candidate in [';', '\t', '|'] -%}
        {%- do counts.update({candidate: header.count(candidate)}) -%}
    {%- endfor -%}
    {%- set delimiter = ',' -%}
    {%- if header.count(',') == 0 and counts.values() | max > 0 -%}
        {%- set delimiter = (counts.items() | sort(attribute='1') | last)[0] -%}
    {%- endif -%}
    {%- set tail = found[3] -%}
    {%- if check_truncation and not tail.endswith('\n') and '\n' in tail -%}
        {%- set last_line = tail.split('\n')[-1].rstrip('\r') -%}
        {#- fields outside quotes; an unclosed quote means the line was cut inside a value -#}
        {%- set unquoted = modules.re.sub('"[^"]*"', '', last_line) -%}
        {%- if '"' in unquoted or unquoted.count(delimiter) < header.count(delimiter) -%}
            {{ exceptions.raise_compiler_error(
                "Export file " ~ file ~ " looks truncated: its last line has "
                ~ (modules.re.sub('"[^"]*$', '', unquoted).count(delimiter) + 1) ~ " of the header's "
                ~ (header.count(delimiter) + 1) ~ " fields and no line break ('"
                ~ last_line[:80] ~ "'). The export or the copy stopped early: export the file again.") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(delimiter) }}
{%- endmacro %}
