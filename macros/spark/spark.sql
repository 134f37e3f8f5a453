{#- Spark versions of DuckDB-only macros (the parsers of macros/staging/parsing.sql) and of
    dbt macros whose Spark version differs from DuckDB's result.

    Spark runs with spark.sql.ansi.enabled = false (dbt-spark sets it): a bad cast or an
    impossible make_timestamp is null, not an error. Patterns are raw literals (r'...')
    so a backslash reaches the Java regex as written. -#}

{#- The formats of duckdb__parse_timestamp, in its order: the first that reads the text
    wins, as with try_strptime's list ([0-9] for a digit: a Jinja string has no raw form). Every pattern has the same groups: year, month,
    day, hour, minute, second, fraction (ymd); month, day, year, hour, minute, AM/PM (US). -#}
{% macro _spark_timestamp_formats() -%}
    {{ return([
        ('^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})T([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})()Z$', 'ymd'),
        ('^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})T([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})[.]([0-9]{1,6})Z$', 'ymd'),
        ('^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})T([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})()$', 'ymd'),
        ('^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})()$', 'ymd'),
        ('^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})[.]([0-9]{1,6})$', 'ymd'),
        ('^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2})()()$', 'ymd'),
        ('^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})()()()()$', 'ymd'),
        ('^([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2}) ([AaPp][Mm])$', 'mdy12'),
        ('^([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,4}) ([0-9]{1,2}):([0-9]{1,2}) ([AaPp][Mm])$', 'mdY12'),
        ('^([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2})()$', 'mdy'),
        ('^([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,4}) ([0-9]{1,2}):([0-9]{1,2})()$', 'mdY'),
        ('^([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,2})()()()$', 'mdy'),
        ('^([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,4})()()()$', 'mdY'),
        ('^([0-9]{1,4})/([0-9]{1,2})/([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})()$', 'ymd'),
        ('^([0-9]{1,4})/([0-9]{1,2})/([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2})()()$', 'ymd'),
        ('^([0-9]{1,4})/([0-9]{1,2})/([0-9]{1,2})()()()()$', 'ymd'),
    ]) }}
{%- endmacro %}

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

{% macro spark__parse_timestamp(column) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- set offset_local = '^([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})[T ]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})$' -%}
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
                    when substr({{ text }}, 1, 19) rlike r'{{ offset_local }}'
                        then {{ _spark_make_timestamp(
                            _spark_group('substr(' ~ text ~ ', 1, 19)', offset_local, 1),
                            _spark_group('substr(' ~ text ~ ', 1, 19)', offset_local, 2),
                            _spark_group('substr(' ~ text ~ ', 1, 19)', offset_local, 3),
                            _spark_group('substr(' ~ text ~ ', 1, 19)', offset_local, 4),
                            _spark_group('substr(' ~ text ~ ', 1, 19)', offset_local, 5),
                            _spark_group('substr(' ~ text ~ ', 1, 19)', offset_local, 6),
                            "'0'") }}
                end
            )
        else coalesce(
            {%- for pattern, kind in _spark_timestamp_formats() %}
            case when {{ text }} rlike r'{{ pattern }}' then
                {%- if kind == 'ymd' %}
                {{ _spark_make_timestamp(
                    _spark_group(text, pattern, 1), _spark_group(text, pattern, 2), _spark_group(text, pattern, 3),
                    _spark_group(text, pattern, 4), _spark_group(text, pattern, 5), _spark_group(text, pattern, 6),
                    "coalesce(nullif(regexp_extract(" ~ text ~ ", r'" ~ pattern ~ "', 7), ''), '0')") }}
                {%- else %}
                {#- US order; %y is 1969-2068 as in DuckDB and Python -#}
                {%- set year = _spark_group(text, pattern, 3) -%}
                {%- if kind.startswith('mdy') -%}
                    {%- set year = '(' ~ year ~ ' + case when ' ~ year ~ ' >= 69 then 1900 else 2000 end)' -%}
                {%- endif -%}
                {%- set hour = _spark_group(text, pattern, 4) -%}
                {%- if kind.endswith('12') -%}
                    {%- set hour = 'case when ' ~ hour ~ ' between 1 and 12 then ' ~ hour ~ ' % 12'
                        ~ " + case when lower(regexp_extract(" ~ text ~ ", r'" ~ pattern ~ "', 6)) = 'pm' then 12 else 0 end"
                        ~ ' else 99 end' -%}
                {%- endif %}
                {{ _spark_make_timestamp(
                    year, _spark_group(text, pattern, 1), _spark_group(text, pattern, 2),
                    hour, _spark_group(text, pattern, 5), '0', "'0'") }}
                {%- endif %}
            end{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
    end
{%- endmacro %}

{#- Same pattern as duckdb__parse_money; Spark's cast of bad text is null. -#}
{% macro spark__parse_money(column) -%}
    case
        when trim({{ column }}) rlike r'^(-)?\s*([A-Za-z]{3}|[₩$€¥£])?\s*-?[0-9][0-9,]*(\.[0-9]+)?$'
            and regexp_replace(trim({{ column }}), r'[^0-9.\-]', '') rlike r'^-?[0-9]{1,16}(\.[0-9]+)?$'
            then cast(regexp_replace(trim({{ column }}), r'[^0-9.\-]', '') as decimal(18, 2))
    end
{%- endmacro %}

{% macro spark__clean_label(column) -%}
    nullif(lower(trim(regexp_replace({{ column }}, r'\s+', ' '))), '')
{%- endmacro %}

{#- Spark's cast of '1.5' to bigint is 1 (DuckDB's try_cast: null) and it accepts
    inner whitespace; as postgres__safe_cast, text that is not a number of the type
    is null. -#}
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

{% macro spark__load_csv_rows(model, agate_table) %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(get_batch_size()) %}
      {% set bindings = [] %}
      {% for row in chunk %}
          {% do bindings.extend(row) %}
      {% endfor %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set type = spark_type(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
                    cast({{ get_binding_char() }} as {{ type }})
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
