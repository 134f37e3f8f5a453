{#- Spark versions of DuckDB-only macros (the parsers of macros/staging/parsing.sql) and of
    dbt macros whose Spark version differs from DuckDB's result.

    Spark runs with spark.sql.ansi.enabled = false (dbt-spark sets it): a bad cast or an
    impossible make_timestamp is null, not an error. Patterns are raw literals (r'...')
    so a backslash reaches the Java regex as written. -#}

{#- Group i of pattern as an integer, 0 when the group is empty. -#}
{% macro _spark_group(text, pattern, i) -%}
    coalesce(cast(nullif(regexp_extract({{ text }}, r'{{ pattern }}', {{ i }}), '') as int), 0)
{%- endmacro %}

{#- make_timestamp is null for an impossible date, hour or minute; a second of 60
    (which make_timestamp rolls over) is refused as try_strptime refuses it. -#}
{% macro _spark_make_timestamp(year, month, day, hour, minute, second, fraction) -%}
    case
        when {{ hour }} <= 23 and {{ minute }} <= 59 and {{ second }} <= 59
            then make_timestamp(
                {{ year }}, {{ month }}, {{ day }}, {{ hour }}, {{ minute }},
                cast(concat(cast({{ second }} as string), '.', {{ fraction }}) as decimal(8, 6))
            )
    end
{%- endmacro %}

{#- Three families of text, each read by one pattern (try_strptime's list of
    duckdb__parse_timestamp, format by format, is what they accept; a family that
    cannot read a text leaves it to the next, as the list does):
    year-month-day with '-' (ISO: 'T' needs seconds, a fraction needs 'Z'; with a
    space, no 'Z'); US month/day/year, two-digit years 1969-2068 as in DuckDB, 12-hour
    clock with AM/PM; year/month/day with '/'. [0-9] for a digit: a Jinja string has
    no raw form. -#}
{% macro spark__parse_timestamp(column) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- set local = 'substr(' ~ text ~ ', 1, 19)' -%}
    {%- set offset_local = '^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})[T ]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})$' -%}
    {%- set dash = '^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})(([T ])([0-9]{1,2}):([0-9]{1,2})(:([0-9]{1,2})([.]([0-9]{1,6}))?)?)?(Z?)$' -%}
    {%- set us = '^([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,4})( ([0-9]{1,2}):([0-9]{1,2})( ([AaPp][Mm]))?)?$' -%}
    {%- set slash = '^([0-9]{1,4})/([0-9]{1,2})/([0-9]{1,2})( ([0-9]{1,2}):([0-9]{1,2})(:([0-9]{1,2}))?)?$' -%}
    {%- set us_year = _spark_group(text, us, 3) -%}
    {%- set us_hour = _spark_group(text, us, 5) -%}
    case
        when {{ text }} rlike r'[+-]\d\d:?\d\d$'
            then timestampadd(
                minute,
                -1
                * (case when substr({{ text }}, -6, 1) = '-' or substr({{ text }}, -5, 1) = '-' then -1 else 1 end)
                * (
                    cast(regexp_extract({{ text }}, r'(\d\d):?(\d\d)$', 1) as int) * 60
                    + cast(regexp_extract({{ text }}, r'(\d\d):?(\d\d)$', 2) as int)
                ),
                case
                    when {{ local }} rlike r'{{ offset_local }}'
                        then {{ _spark_make_timestamp(
                            _spark_group(local, offset_local, 1), _spark_group(local, offset_local, 2),
                            _spark_group(local, offset_local, 3), _spark_group(local, offset_local, 4),
                            _spark_group(local, offset_local, 5), _spark_group(local, offset_local, 6), "'0'") }}
                end
            )
        else coalesce(
            case
                when
                    {{ text }} rlike r'{{ dash }}'
                    and case
                        when {{ _spark_text(text, dash, 12) }} = 'Z'
                            then {{ _spark_text(text, dash, 5) }} = 'T' and {{ _spark_text(text, dash, 9) }} != ''
                        else
                            {{ _spark_text(text, dash, 4) }} = ''
                            or {{ _spark_text(text, dash, 5) }} = ' '
                            or {{ _spark_text(text, dash, 11) }} = '' and {{ _spark_text(text, dash, 9) }} != ''
                    end
                    then {{ _spark_make_timestamp(
                        _spark_group(text, dash, 1), _spark_group(text, dash, 2), _spark_group(text, dash, 3),
                        _spark_group(text, dash, 6), _spark_group(text, dash, 7), _spark_group(text, dash, 9),
                        "coalesce(nullif(" ~ _spark_text(text, dash, 11) ~ ", ''), '0')") }}
            end,
            case
                when {{ text }} rlike r'{{ us }}'
                    then {{ _spark_make_timestamp(
                        'case when length(' ~ _spark_text(text, us, 3) ~ ') <= 2 then ' ~ us_year
                            ~ ' + case when ' ~ us_year ~ ' >= 69 then 1900 else 2000 end else ' ~ us_year ~ ' end',
                        _spark_group(text, us, 1), _spark_group(text, us, 2),
                        'case when ' ~ _spark_text(text, us, 8) ~ " = '' then " ~ us_hour
                            ~ ' when ' ~ us_hour ~ ' between 1 and 12 then ' ~ us_hour ~ ' % 12'
                            ~ ' + case when lower(' ~ _spark_text(text, us, 8) ~ ") = 'pm' then 12 else 0 end"
                            ~ ' else 99 end',
                        _spark_group(text, us, 6), '0', "'0'") }}
            end,
            case
                when {{ text }} rlike r'{{ slash }}'
                    then {{ _spark_make_timestamp(
                        _spark_group(text, slash, 1), _spark_group(text, slash, 2), _spark_group(text, slash, 3),
                        _spark_group(text, slash, 5), _spark_group(text, slash, 6), _spark_group(text, slash, 8), "'0'") }}
            end
        )
    end
{%- endmacro %}

{#- Group i of pattern as text ('' when it did not take part). -#}
{% macro _spark_text(text, pattern, i) -%}
    regexp_extract({{ text }}, r'{{ pattern }}', {{ i }})
{%- endmacro %}

{#- The regular expression helpers of parsing.sql (the number, amount and
    date-order parsers are built of them); Java writes a group in a replacement as $n. -#}
{% macro spark__regex_matches(text, pattern) -%}
    ({{ text }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_remove(text, pattern) -%}
    regexp_replace({{ text }}, '{{ pattern }}', '')
{%- endmacro %}

{% macro spark__regex_reorder(text, pattern, groups) -%}
    regexp_replace({{ text }}, '{{ pattern }}', '${{ groups[0] }}/${{ groups[1] }}/${{ groups[2] }}$4')
{%- endmacro %}

{% macro spark__clean_label(column) -%}
    nullif(lower(trim(regexp_replace({{ column }}, r'\s+', ' '))), '')
{%- endmacro %}

{#- Spark's cast of '1.5' to bigint is 1; as postgres__safe_cast, text that is not
    a number of the type is null. -#}
{% macro spark__safe_cast(field, type) -%}
    {%- set kind = type | lower | trim -%}
    {%- set text = "trim(cast(" ~ field ~ " as string))" -%}
    {%- if kind in ['bigint', 'long'] -%}
        case when {{ text }} rlike r'^[+-]?[0-9]{1,18}$' then cast({{ text }} as {{ type }}) end
    {%- elif kind in ['integer', 'int'] -%}
        case when {{ text }} rlike r'^[+-]?[0-9]{1,9}$' then cast({{ text }} as {{ type }}) end
    {%- elif kind in ['double', 'float'] -%}
        case
            when {{ text }} rlike r'^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,2})?$'
                then cast({{ text }} as {{ type }})
        end
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{#- Contract and seed column types are written as DuckDB and PostgreSQL spell them;
    Spark has no plain varchar (string) and no double precision (double). -#}
{% macro spark_type(type) -%}
    {{ return({'varchar': 'string', 'text': 'string', 'double precision': 'double'}.get(type | lower | trim, type)) }}
{%- endmacro %}

{#- dbt casts null to each contract type to compare it with the model's columns. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}

{#- dbt-spark's seed macros (dbt/include/spark/macros/materializations/seed.sql) with
    the column types translated by spark_type. -#}
{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set type = spark_type(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
            {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
  {% endset %}
  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}
  {{ return(sql) }}
{% endmacro %}

{#- An empty field is a null: dbt-spark's session binds None as the text 'None',
    so it is written as a null literal and left out of the bindings. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(get_batch_size()) %}
      {% set bindings = [] %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set type = spark_type(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
                  {%- set value = row[loop.index0] -%}
                  {%- if value is none -%}
                    cast(null as {{ type }})
                  {%- else -%}
                    {%- do bindings.append(value) -%}
                    cast({{ get_binding_char() }} as {{ type }})
                  {%- endif -%}
                  {%- if not loop.last %},{%- endif %}
              {%- endfor -%})
              {%- if not loop.last %},{%- endif %}
          {%- endfor %}
      {% endset %}
      {% do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) %}
      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}

{#- default__date_spine joins 100,000 digit rows before filtering (half a minute on
    Spark); sequence makes only the periods needed. -#}
{% macro spark__date_spine(datepart, start_date, end_date) -%}
    select period_start as date_{{ datepart }}
    from (
        select cast({{ dbt.dateadd(datepart, 'period_number', start_date) }} as date) as period_start
        from (
            select explode(sequence(0, greatest(cast({{ dbt.datediff(start_date, end_date, datepart) }} as int), 0))) as period_number
        ) as numbers
    ) as periods
    where period_start < cast({{ end_date }} as date)
{%- endmacro %}

{#- dbt-spark's dateadd goes through unix seconds (dropping fractions) and fails on
    nulls (assert_not_null); timestampadd keeps both, and like DuckDB returns a
    timestamp for a date. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast({{ interval }} as bigint), {{ from_date_or_timestamp }})
{%- endmacro %}

{#- second - first counted in boundaries crossed, as DuckDB's date_diff counts them
    (dbt-spark's counts whole units for some parts and fails on nulls). -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set part = datepart | lower -%}
    {%- if part == 'day' -%}
        cast(datediff(cast({{ second_date }} as date), cast({{ first_date }} as date)) as bigint)
    {%- elif part == 'month' -%}
        cast((year({{ second_date }}) - year({{ first_date }})) * 12 + month({{ second_date }}) - month({{ first_date }}) as bigint)
    {%- elif part == 'quarter' -%}
        cast((year({{ second_date }}) - year({{ first_date }})) * 4 + quarter({{ second_date }}) - quarter({{ first_date }}) as bigint)
    {%- elif part == 'year' -%}
        cast(year({{ second_date }}) - year({{ first_date }}) as bigint)
    {%- elif part in ['hour', 'minute', 'second'] -%}
        {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1}[part] -%}
        cast(
            floor(unix_seconds(cast({{ second_date }} as timestamp)) / {{ seconds }})
            - floor(unix_seconds(cast({{ first_date }} as timestamp)) / {{ seconds }})
            as bigint
        )
    {%- else -%}
        {{ exceptions.raise_compiler_error("datediff by " ~ datepart ~ " is not implemented on Spark (macros/spark/spark.sql)") }}
    {%- endif -%}
{%- endmacro %}

{#- dbt's collect_freshness with both times as timestamp_ntz: pyspark hands a
    timestamp to Python in the dbt process's local time zone (TZ), naive, which dbt
    then takes for UTC, so max_loaded_at and snapshotted_at were off by the local
    offset. A timestamp_ntz is the session's wall clock (UTC, profiles.yml), as is. -#}
{% macro spark__collect_freshness(source, loaded_at_field, filter) %}
    {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            cast(max({{ loaded_at_field }}) as timestamp_ntz) as max_loaded_at,
            cast({{ current_timestamp() }} as timestamp_ntz) as snapshotted_at
        from {{ source }}
        {% if filter %}
            where {{ filter }}
        {% endif %}
    {%- endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}
