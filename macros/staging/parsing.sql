{#- Parsers for export text. Each returns null when the text is empty or cannot
    be parsed; staging compares "text present but parsed null" to quarantine a
    row with the rule it broke. DuckDB implementations now; other targets
    dispatch to their own. -#}

{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- Ids: trimmed, empty and Salesforce's null id (000000000000000AAA) mean null. -#}
{% macro clean_id(column) -%}
    case
        when trim({{ column }}) in ('', '000000000000000AAA', '000000000000000') then null
        else trim({{ column }})
    end
{%- endmacro %}

{#- Salesforce ids as the Data Export writes them: the 18-character case-safe form.
    Matching stays on the case-sensitive 15-character form: the last three
    characters are recomputed from the first fifteen (Salesforce's CASESAFEID: per
    5-character chunk, bit i set when character i is a capital A-Z, as a letter of
    ABCDEFGHIJKLMNOPQRSTUVWXYZ012345), so a 15-character id from a report export
    and the 18-character one of the same record give one key, and a BI tool can
    join it back to the CRM. Ids of other lengths (a connector's hashed ids) stay
    as written. ascii() rather than a letter range: PostgreSQL's collations sort
    'b' between 'A' and 'Z'. -#}
{% macro sf_id(column) -%}
    {%- set id = 'trim(' ~ column ~ ')' -%}
    case
        when length({{ clean_id(column) }}) in (15, 18)
            then {{ dbt.concat(['substr(' ~ id ~ ', 1, 15)', sf_id_check(id, 1), sf_id_check(id, 6), sf_id_check(id, 11)]) }}
        else {{ clean_id(column) }}
    end
{%- endmacro %}

{#- One checksum character, for the five characters from `start`. -#}
{% macro sf_id_check(id, start) -%}
    substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', 1
    {%- for i in range(5) %} + case when ascii(substr({{ id }}, {{ start + i }}, 1)) between 65 and 90 then {{ 2 ** i }} else 0 end
    {%- endfor %}, 1)
{%- endmacro %}

{#- Labels for mapping: trimmed, inner whitespace collapsed, lower case. -#}
{% macro clean_label(column) -%}
    {{ return(adapter.dispatch('clean_label', 'the_model')(column)) }}
{%- endmacro %}

{% macro default__clean_label(column) -%}
    nullif(lower(trim(regexp_replace({{ column }}, '\s+', ' ', 'g'))), '')
{%- endmacro %}

{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'the_model')(column)) }}
{%- endmacro %}

{#- ISO with Z, a numeric offset or none; US MM/DD/YY[YY] [hh:mm AM/PM]; YYYY/MM/DD [hh:mm];
    fractional seconds. An offset is applied so the result is UTC. US forms are tried
    before YYYY/MM/DD because %Y also accepts two digits ("11/09/25" is 9 Nov 2025). -#}
{% macro duckdb__parse_timestamp(column) -%}
    {#- the ISO form with Z first: most rows, and cheaper than the offset test below -#}
    coalesce(try_strptime(trim({{ column }}), '%Y-%m-%dT%H:%M:%SZ'), case
        when regexp_matches(trim({{ column }}), '[+-]\d\d:?\d\d$')
            then try_strptime(
                substr(trim({{ column }}), 1, 19), ['%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S']
            ) - to_minutes(
                (case when substr(trim({{ column }}), -6, 1) = '-' or substr(trim({{ column }}), -5, 1) = '-' then -1 else 1 end)
                * (
                    cast(substr(regexp_extract(trim({{ column }}), '(\d\d):?(\d\d)$', 1), 1, 2) as integer) * 60
                    + cast(regexp_extract(trim({{ column }}), '(\d\d):?(\d\d)$', 2) as integer)
                )
            )
        else try_strptime(
            trim({{ column }}),
            [
                '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ', '%Y-%m-%dT%H:%M:%S',
                '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M', '%Y-%m-%d',
                '%m/%d/%y %I:%M %p', '%m/%d/%Y %I:%M %p', '%m/%d/%y %H:%M', '%m/%d/%Y %H:%M',
                '%m/%d/%y', '%m/%d/%Y',
                '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d'
            ]
        )
    end)
{%- endmacro %}

{#- A date column keeps its calendar date as written: '2023-05-01 00:00:00' and
    '2023-05-01T00:00:00+09:00' are 1 May (the offset would move the second to
    30 April in UTC). The whole text must still parse, else null. -#}
{% macro parse_date(column) -%}
    {%- set written_date = "case when substr(trim(" ~ column ~ "), 5, 1) = '-' then substr(trim("
        ~ column ~ "), 1, 10) else " ~ column ~ " end" -%}
    case
        when {{ parse_timestamp(column) }} is not null
            then cast({{ parse_timestamp(written_date) }} as date)
    end
{%- endmacro %}

{% macro parse_money(column) -%}
    {{ return(adapter.dispatch('parse_money', 'the_model')(column)) }}
{%- endmacro %}

{#- "₩1,200,000", "$12,000.50", "USD 12,000", " 12000.5 " -> decimal(18, 2). -#}
{% macro duckdb__parse_money(column) -%}
    case
        when regexp_matches(trim({{ column }}), '^(-)?\s*([A-Za-z]{3}|[₩$€¥£])?\s*-?[0-9][0-9,]*(\.[0-9]+)?$')
            then try_cast(regexp_replace(trim({{ column }}), '[^0-9.\-]', '', 'g') as decimal(18, 2))
    end
{%- endmacro %}

{% macro parse_integer(column) -%}
    {{ dbt.safe_cast("trim(" ~ column ~ ")", dbt.type_bigint()) }}
{%- endmacro %}

{% macro parse_boolean(column) -%}
    case
        when lower(trim({{ column }})) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim({{ column }})) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}

{#- Personal data leaves staging only as a hash (for joins), never as text. -#}
{% macro hash_personal(column) -%}
    case when {{ clean_text(column) }} is not null then {{ dbt.hash("lower(trim(" ~ column ~ "))") }} end
{%- endmacro %}

{#- dbt-duckdb has no safe_cast of its own (dbt's default is a plain cast that
    stops the build on bad text); try_cast gives null, which the rules quarantine.
    Integers must be whole numbers in the text, as on PostgreSQL and Spark
    (try_cast would round '12.5' to 13). -#}
{% macro duckdb__safe_cast(field, type) -%}
    {%- if type | lower | trim in ['bigint', 'integer', 'int', 'int8', 'int4'] -%}
        case
            when regexp_full_match(trim(cast({{ field }} as varchar)), '[+-]?[0-9]+')
                then try_cast({{ field }} as {{ type }})
        end
    {%- else -%}
        try_cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
