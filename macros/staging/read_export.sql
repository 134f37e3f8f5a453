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
                cast(error('Export file {{ var("crm_export_path") }}/{{ files[0] }}.csv (or .parquet) is missing. It is required: set crm_export_path to the folder holding your exports (see {{ format_doc() }}).') as {{ dbt.type_bigint() }}) as _source_row,
                cast(null as {{ dbt.type_string() }}) as _source_file
        {%- else -%}
            {{ empty_export(columns) }}
        {%- endif -%}
    {%- else -%}
        {#- a file in another encoding is read from its UTF-8 copy; messages name the file -#}
        {%- set text_file = export_text_file(file) -%}
        {%- set header = {} -%}
        {%- set delimiter = check_export_text(text_file, relation.schema.startswith('raw_generic'), file, header) -%}
        {#- rows the reader would choke on, and a required file without rows, stop here with a message -#}
        {%- do check_export_rows(text_file, file, entity, delimiter, header.get('line'), file_required, required[0]) -%}
        {%- set reader = export_reader(text_file, delimiter) -%}
        {%- set found = {} -%}
        {%- for row in run_query("describe select * from " ~ reader) -%}
            {%- do found.update({header_key(row[0]): row[0]}) -%}
        {%- endfor -%}
        {%- for column in required if header_key(column) not in found -%}
            {{ exceptions.raise_compiler_error(
                "Export file " ~ file ~ " has no column '" ~ column ~ "', which is required for "
                ~ entity ~ ". Columns found: " ~ (found.keys() | list | sort | join(', '))
                ~ ". Add the column (headers are matched case-insensitively) or see " ~ format_doc() ~ ".") }}
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
                ~ "` (file " ~ files[0] ~ ".csv or .parquet; see " ~ format_doc() ~ ").") }}
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
        {%- if execute and file_required and run_query("select count(*) from " ~ existing).rows[0][0] == 0 -%}
            {{ exceptions.raise_compiler_error(
                "Raw table " ~ existing ~ " (loaded from " ~ files | join(' / ') ~ ") has no rows: its file held"
                ~ " only its header line (rule: no_rows). " ~ entity ~ " is required. Export it again with its rows"
                ~ " (a report filter or an empty selection writes the header alone) and load again. If the CRM"
                ~ " really has none, " ~ empty_export_consequence(entity)) }}
        {%- endif -%}
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
{% macro check_export_text(text_file, check_truncation, file=none, header_out=none) -%}
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
            ~ " a file with no rows still needs its header line (see " ~ format_doc() ~ ").") }}
    {%- endif -%}
    {%- if found[1] -%}
        {#- names the likely encoding (themodel/encoding.py) and the export_encoding var -#}
        {{ exceptions.raise_compiler_error(run_query(
            "select the_model_not_utf8_message('" ~ file | replace("'", "''") ~ "')").rows[0][0]) }}
    {%- endif -%}
    {%- set header = found[2].split('\n')[0].rstrip('\r') -%}
    {%- if header_out is not none -%}
        {%- do header_out.update({'line': header}) -%}
    {%- endif -%}
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
        {#- The last record, outside quotes: a quoted value may span lines (a note
            with a line break as the last field), so the record starts at the last
            line break outside quotes. Quotes before the tail tell whether the tail
            starts inside a quoted value; an odd count in the whole file means the
            file ends inside one, cut off. -#}
        {#- counted only here (a second read): most files end with a line break -#}
        {%- set quotes = run_query("select length(body) - length(replace(body, '\"', ''))"
            ~ " from (select decode(content) as body from read_blob('" ~ text_file ~ "'))").rows[0][0] -%}
        {%- set ends_in_quote = quotes % 2 == 1 -%}
        {%- set starts_in_quote = (quotes - tail.count('"')) % 2 == 1 -%}
        {%- set skeleton = tail[tail.find('"') + 1:] if starts_in_quote and '"' in tail else tail -%}
        {%- set skeleton = modules.re.sub('"[^"]*"', '', skeleton) -%}
        {%- set skeleton = modules.re.sub('"[^"]*$', '', skeleton) -%}
        {%- set header_fields = modules.re.sub('"[^"]*"', '', header).count(delimiter) + 1 -%}
        {%- set last_line = tail.split('\n')[-1].rstrip('\r') -%}
        {%- set last_fields = skeleton.split('\n')[-1].count(delimiter) + 1 -%}
        {%- if ends_in_quote or ('\n' in skeleton and last_fields < header_fields) -%}
            {{ exceptions.raise_compiler_error(
                "Export file " ~ file ~ " looks truncated: its last line has "
                ~ last_fields ~ " of the header's " ~ header_fields ~ " fields"
                ~ (", a quoted value left open" if ends_in_quote else "") ~ " and no line break ('"
                ~ last_line[:80] ~ "'). The export or the copy stopped early: export the file again.") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(delimiter) }}
{%- endmacro %}

{#- Reads a CSV export as standard CSV (the delimiter found, values in double
    quotes, a quote inside a value written twice) before the model reads it, and
    stops at the first row the reader would refuse, with a message that names
    the file, the line, the key, the column, the value, the rule and the fix,
    instead of the reader's "CSV Error" or "Error when sniffing file". Rules:
    field_count (a row with more or fewer fields than the header), unclosed_quote
    (a quoted value that does not end with a quote before its delimiter),
    line_too_long (a quote left open swallows the lines after it). A required
    file without a row (header only; a Parquet file of 0 rows) stops with
    no_rows. -#}
{% macro check_export_rows(text_file, file, entity, delimiter, header, file_required, key_column) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if file.endswith('.parquet') -%}
        {#- a Parquet file starts and ends with PAR1; else the reader says only "No magic bytes" -#}
        {%- set magic = run_query("select size, coalesce(content[1:4] = 'PAR1'::blob and content[size - 3:size] = 'PAR1'::blob, false)"
            ~ " from read_blob('" ~ text_file ~ "')").rows[0] -%}
        {%- if not magic[1] -%}
            {{ exceptions.raise_compiler_error(
                "Export file " ~ file ~ " is not a Parquet file (" ~ magic[0] ~ " bytes without Parquet's PAR1 marks"
                ~ " at its start and end; rule: not_parquet): it was cut off, or it is another format under a"
                ~ " .parquet name. Fix: export it again as Parquet, or as CSV to " ~ file[:-8] ~ ".csv.") }}
        {%- endif -%}
        {%- set rows = run_query("select count(*) from read_parquet('" ~ text_file ~ "')").rows[0][0] -%}
    {%- else -%}
        {%- set re = modules.re -%}
        {%- set names = header.split(delimiter) if '"' not in header else
            re.findall('"((?:[^"]|"")*)"|([^' ~ re.escape(delimiter) ~ ']+)', header) | map('join', '') | list -%}
        {%- set fields = re.sub('"[^"]*"', '', header).count(delimiter) + 1 -%}
        {%- set rejects = 'the_model_rejects_' ~ entity -%}
        {%- do run_query("drop table if exists " ~ rejects ~ "; drop table if exists " ~ rejects ~ "_scan") -%}
        {%- set columns = [] -%}
        {%- for i in range(1, fields + 1) -%}
            {%- do columns.append("'c" ~ i ~ "': 'VARCHAR'") -%}
        {%- endfor -%}
        {%- set rows = run_query(
            "select count(*) from read_csv('" ~ text_file ~ "', auto_detect = false, header = true, delim = '"
            ~ delimiter ~ "', quote = '\"', escape = '\"', columns = {" ~ columns | join(', ') ~ "},"
            ~ " store_rejects = true, rejects_table = '" ~ rejects ~ "', rejects_scan = '" ~ rejects ~ "_scan')"
        ).rows[0][0] -%}
        {%- set found = run_query(
            "select line, column_name, error_type, csv_line, error_message from " ~ rejects
            ~ " order by line, column_idx limit 1").rows -%}
        {%- if found | length > 0 -%}
            {{ exceptions.raise_compiler_error(export_row_message(file, found[0], names, delimiter, key_column)) }}
        {%- endif -%}
    {%- endif -%}
    {%- if rows == 0 and file_required -%}
        {{ exceptions.raise_compiler_error(
            "Export file " ~ file ~ " has no rows: only its header line (rule: no_rows). " ~ entity
            ~ " is required. Export it again with its rows (a report filter or an empty selection"
            ~ " writes the header alone). If the CRM really has none, " ~ empty_export_consequence(entity)) }}
    {%- endif -%}
{%- endmacro %}

{#- The stop message for the first row the CSV reader refused (a row of its rejects table). -#}
{% macro export_row_message(file, reject, names, delimiter, key_column) -%}
    {%- set line, column, error_type, text, error = reject[0], reject[1], reject[2], reject[3] or '', reject[4] or '' -%}
    {%- set values = text.split(delimiter) -%}
    {%- set index = (column[1:] | int) - 1 if column else -1 -%}
    {%- set column_name = names[index] | trim if 0 <= index < names | length else none -%}
    {%- set keys = [] -%}
    {%- for name in names -%}
        {%- do keys.append(header_key(name)) -%}
    {%- endfor -%}
    {%- set key_index = keys.index(header_key(key_column)) if header_key(key_column) in keys else 0 -%}
    {%- set key = values[key_index] | trim | replace('"', '') if key_index < values | length else '' -%}
    {%- set where = "Export file " ~ file ~ ", line " ~ line ~ (" (" ~ names[key_index] | trim ~ " '" ~ cut_text(key) ~ "')" if key else "") -%}
    {%- set found_fields = modules.re.search('Found: *([0-9]+)', error) -%}
    {%- if error_type == 'TOO MANY COLUMNS' -%}
        {{ return(where ~ ": the row has " ~ (found_fields.group(1) if found_fields else 'more') ~ " fields where the header has "
            ~ names | length ~ " (rule: field_count; the row: '" ~ cut_text(text) ~ "'). A value holding the delimiter '"
            ~ delimiter ~ "' without quotes splits it. Fix: put such values in double quotes (\"a" ~ delimiter
            ~ " b\") or export the file again.") }}
    {%- elif error_type == 'MISSING COLUMNS' -%}
        {{ return(where ~ ": the row has " ~ (found_fields.group(1) if found_fields else 'fewer') ~ " of the header's "
            ~ names | length ~ " fields; column '" ~ column_name ~ "' and those after it are missing (rule: field_count;"
            ~ " the row: '" ~ cut_text(text) ~ "'). A line break inside a value without quotes splits its row in two."
            ~ " Fix: put such values in double quotes, or export the file again.") }}
    {%- elif error_type == 'UNQUOTED VALUE' -%}
        {{ return(where ~ ", column '" ~ column_name ~ "': a quoted value is not closed before the next delimiter ('"
            ~ cut_text(values[index] if 0 <= index < values | length else text) ~ "'; rule: unclosed_quote). Fix: write"
            ~ " a quote inside a value as two quotes (\"\") and end a quoted value with a quote, or export the file again.") }}
    {%- elif error_type == 'LINE SIZE OVER MAXIMUM' -%}
        {{ return(where ~ ": a row longer than the reader's maximum line size ('" ~ cut_text(text)
            ~ "'; rule: line_too_long); usually a quote left open swallows the lines after it. Fix: close the quote"
            ~ " (a quote inside a value is written twice), or export the file again.") }}
    {%- endif -%}
    {{ return(where ~ ": the row cannot be read as CSV (" ~ error_type ~ ": " ~ cut_text(error, 120) ~ "; the row: '"
        ~ cut_text(text) ~ "'). Fix: export the file again as standard CSV (UTF-8, values with the delimiter,"
        ~ " a quote or a line break in double quotes).") }}
{%- endmacro %}

{#- A value quoted in a message: one line, cut to `length` characters. -#}
{% macro cut_text(text, length=40) -%}
    {%- set one_line = (text | string).replace('\r', '').replace('\n', '\\n') -%}
    {{ return(one_line[:length] ~ ('...' if one_line | length > length else '')) }}
{%- endmacro %}

{#- What a required file without rows would leave empty, for the no_rows message. -#}
{% macro empty_export_consequence(entity) -%}
    {%- set consequences = {
        'users': "every per-person figure and productive FTE would be empty",
        'user_roles': "productive FTE and every per-role figure would be empty",
        'accounts': "every deal and lead naming an account would be quarantined as orphan_reference",
        'leads': "marketing_kpis_monthly, inside_sales_kpis_monthly, inside_sales_call_list and the funnel's lead stages would be empty",
        'opportunities': "every deal mart (field_sales_kpis_monthly, new_business_*, funnel_*, pipeline_waterfall, forecast_*, customer_deals_monthly) would be empty",
        'opportunity': "every deal mart (field_sales_kpis_monthly, new_business_*, funnel_*, pipeline_waterfall, forecast_*, customer_deals_monthly) would be empty",
    } -%}
    {%- set what = consequences.get(entity, "the marts built on " ~ entity ~ " would be empty") -%}
    {%- if var('crm_source') == 'generic' -%}
        {{ return(what ~ ": to build so, take '" ~ entity ~ "' out of the var required_export_files.") }}
    {%- endif -%}
    {{ return(what ~ ", and The Model has nothing to measure.") }}
{%- endmacro %}
