{#- PostgreSQL versions of DuckDB-only macros (the parsers of macros/staging/parsing.sql) and of dbt macros that fail there.

    PostgreSQL has no try_strptime / try_cast: a cast of bad text is an error, not a
    null. The timestamp parser is therefore a PL/pgSQL function (created by the
    on-run-start hook create_parser_functions) that checks every field before it
    builds the timestamp, so it returns null instead of failing. It has no exception
    handler on purpose: a handler is a subtransaction, which PostgreSQL forbids in
    parallel queries. It follows duckdb__parse_timestamp format by format so both
    targets read the same text the same way (tests/python/test_postgres.py). -#}

{% macro postgres__parse_timestamp(column) -%}
    {{ parser_function_schema() }}.the_model_parse_timestamp({{ column }})
{%- endmacro %}

{#- The regular expression helpers of parsing.sql (the number, amount and
    date-order parsers are built of them). -#}
{% macro postgres__regex_matches(text, pattern) -%}
    ({{ text }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro parser_function_schema() -%}
    {{- adapter.quote(target.schema) -}}
{%- endmacro %}

{#- on-run-start: the functions the postgres__ parsers call; nothing on other targets. -#}
{% macro create_parser_functions() -%}
    {{ return(adapter.dispatch('create_parser_functions', 'the_model')()) }}
{%- endmacro %}

{% macro default__create_parser_functions() -%}{%- endmacro %}

{% macro postgres__create_parser_functions() -%}
create schema if not exists {{ parser_function_schema() }};
create or replace function {{ parser_function_schema() }}.the_model_is_date(y integer, m integer, d integer)
returns boolean
language sql immutable parallel safe
as $function$
    select case
        when y between 0 and 9999 and m between 1 and 12
            then d between 1 and extract(day from make_date(case when y = 0 then -1 else y end, m, 1) + interval '1 month - 1 day')
        else false
    end
$function$;
-- PostgreSQL has no year 0: DuckDB's year 0 (1 BC) is PostgreSQL's -1.
create or replace function {{ parser_function_schema() }}.the_model_parse_timestamp(value text)
returns timestamp
language plpgsql immutable parallel safe
as $function$
declare
    t text := trim(value);
    p text[];
    o text[];
    sign integer;
    formats text[] := array[
        -- pattern, then how to read it: ymd (year first) or mdy / mdY (US, two- or four-digit year)
        '^(\d{1,4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})()Z$', 'ymd',
        '^(\d{1,4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})Z$', 'ymd',
        '^(\d{1,4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})()$', 'ymd',
        '^(\d{1,4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})()$', 'ymd',
        '^(\d{1,4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$', 'ymd',
        '^(\d{1,4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2})()()$', 'ymd',
        '^(\d{1,4})-(\d{1,2})-(\d{1,2})()()()()$', 'ymd',
        '^(\d{1,2})/(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{1,2}) ([AaPp][Mm])$', 'mdy12',
        '^(\d{1,2})/(\d{1,2})/(\d{1,4}) (\d{1,2}):(\d{1,2}) ([AaPp][Mm])$', 'mdY12',
        '^(\d{1,2})/(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{1,2})()$', 'mdy',
        '^(\d{1,2})/(\d{1,2})/(\d{1,4}) (\d{1,2}):(\d{1,2})()$', 'mdY',
        '^(\d{1,2})/(\d{1,2})/(\d{1,2})()()()$', 'mdy',
        '^(\d{1,2})/(\d{1,2})/(\d{1,4})()()()$', 'mdY',
        '^(\d{1,4})/(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})()$', 'ymd',
        '^(\d{1,4})/(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{1,2})()()$', 'ymd',
        '^(\d{1,4})/(\d{1,2})/(\d{1,2})()()()()$', 'ymd'
    ];
    y integer;
    hour integer;
    seconds double precision;
    i integer;
begin
    if t is null or t = '' then
        return null;
    end if;
    -- A numeric offset: the first 19 characters are the local time, the offset is applied.
    if t ~ '[+-]\d\d:?\d\d$' then
        p := regexp_match(substr(t, 1, 19), '^(\d{1,4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2}):(\d{1,2})$');
        if p is null or p[4]::integer > 23 or p[5]::integer > 59 or p[6]::integer > 59
            or not {{ parser_function_schema() }}.the_model_is_date(p[1]::integer, p[2]::integer, p[3]::integer) then
            return null;
        end if;
        sign := case when left(right(t, 6), 1) = '-' or left(right(t, 5), 1) = '-' then -1 else 1 end;
        o := regexp_match(t, '(\d\d):?(\d\d)$');
        y := p[1]::integer;
        return make_timestamp(case when y = 0 then -1 else y end, p[2]::integer, p[3]::integer, p[4]::integer, p[5]::integer, p[6]::integer)
            - make_interval(mins => sign * (o[1]::integer * 60 + o[2]::integer));
    end if;
    for i in 1 .. array_length(formats, 1) by 2 loop
        p := regexp_match(t, formats[i]);
        continue when p is null;
        if coalesce(nullif(p[4], '')::integer, 0) > 23 or coalesce(nullif(p[5], '')::integer, 0) > 59 then
            continue;  -- like try_strptime: the next format may fit
        end if;
        if formats[i + 1] = 'ymd' then
            if coalesce(nullif(p[6], '')::integer, 0) > 59
                or not {{ parser_function_schema() }}.the_model_is_date(p[1]::integer, p[2]::integer, p[3]::integer) then
                continue;  -- like try_strptime: the next format may fit
            end if;
            y := p[1]::integer;
            seconds := coalesce(nullif(p[6], '')::integer, 0) + coalesce(('0.' || nullif(p[7], ''))::numeric, 0);
            return make_timestamp(
                case when y = 0 then -1 else y end, p[2]::integer, p[3]::integer,
                coalesce(nullif(p[4], '')::integer, 0), coalesce(nullif(p[5], '')::integer, 0), seconds
            );
        end if;
        -- US order: month, day, year; %y is 1969-2068 as in DuckDB and Python
        y := p[3]::integer;
        if formats[i + 1] like 'mdy%' then
            y := y + case when y >= 69 then 1900 else 2000 end;
        end if;
        hour := coalesce(nullif(p[4], '')::integer, 0);
        if formats[i + 1] like '%12' then
            if hour < 1 or hour > 12 then
                continue;  -- like try_strptime: the next format may fit
            end if;
            hour := hour % 12 + case when lower(p[6]) = 'pm' then 12 else 0 end;
        end if;
        if not {{ parser_function_schema() }}.the_model_is_date(y, p[1]::integer, p[2]::integer) then
            continue;  -- like try_strptime: the next format may fit
        end if;
        return make_timestamp(case when y = 0 then -1 else y end, p[1]::integer, p[2]::integer, hour, coalesce(nullif(p[5], '')::integer, 0), 0);
    end loop;
    return null;
end
$function$
{%- endmacro %}

{#- dbt.safe_cast on PostgreSQL is a plain cast, so bad text stops the build; DuckDB's
    is try_cast. This version (found first through the dbt dispatch search order in
    dbt_project.yml) returns null for text that is not a number of the target type.
    Other types keep dbt's plain cast. -#}
{% macro postgres__safe_cast(field, type) -%}
    {%- set kind = type | lower | trim -%}
    {%- set text = "trim(cast(" ~ field ~ " as text))" -%}
    {%- if kind in ['bigint', 'int8'] -%}
        case when {{ text }} ~ '^[+-]?[0-9]{1,18}$' then cast({{ text }} as {{ type }}) end
    {%- elif kind in ['integer', 'int', 'int4'] -%}
        case when {{ text }} ~ '^[+-]?[0-9]{1,9}$' then cast({{ text }} as {{ type }}) end
    {%- elif kind in ['double precision', 'float8', 'double', 'real', 'float4', 'float'] -%}
        case
            when {{ text }} ~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,2})?$'
                then cast({{ text }} as {{ type }})
        end
    {%- else -%}
        {{ dbt.default__safe_cast(field, type) }}
    {%- endif -%}
{%- endmacro %}

{#- dbt-postgres spells the interval as '1 <datepart>', which PostgreSQL rejects for
    quarter; a quarter is three months. -#}
{% macro postgres__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- if datepart | lower == 'quarter' -%}
        {{ from_date_or_timestamp }} + ((interval '3 month') * ({{ interval }}))
    {%- else -%}
        {{ from_date_or_timestamp }} + ((interval '1 {{ datepart }}') * ({{ interval }}))
    {%- endif -%}
{%- endmacro %}

{#- Post-hook on every model: PostgreSQL plans a query on a table created seconds ago
    without statistics (autovacuum has not analysed it yet), and guessed the daily
    pipeline's range joins badly: 50 s in a build against 2.5 s alone. -#}
{% macro analyze_table() -%}
    {{ return(adapter.dispatch('analyze_table', 'the_model')()) }}
{%- endmacro %}

{% macro default__analyze_table() -%}{%- endmacro %}

{% macro postgres__analyze_table() -%}
    {%- if model.config.materialized in ['table', 'incremental', 'snapshot'] -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
