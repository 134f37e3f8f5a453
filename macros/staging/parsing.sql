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

{#- Day/month forms are read in var('date_order'): the text is first rewritten
    into the US month/day/year form every target's parser reads. -#}
{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'the_model')(date_order_text(column))) }}
{%- endmacro %}

{% macro date_order() -%}
    {%- set order = var('date_order', 'MDY') | upper -%}
    {%- if order not in ['MDY', 'DMY', 'YMD'] -%}
        {{ exceptions.raise_compiler_error("var date_order is '" ~ var('date_order') ~ "': use MDY (11/09/25 is 9 November 2025), DMY (09.11.2025 is 9 November) or YMD (25/11/09 is 9 November). ISO dates (2025-11-09) are read in every order.") }}
    {%- endif -%}
    {{ return(order) }}
{%- endmacro %}

{#- The day/month forms 11/09/25, 09.11.2025, 9-11-2025 (each with an optional
    time after a space) as month/day/year with '/', in var('date_order'). A year
    first with four digits and '/' (2025/11/09) and ISO (2025-11-09) are left as
    they are: they are read in every order. -#}
{% macro date_order_text(column) -%}
    {%- set order = date_order() -%}
    {#- a namespace: a plain set inside the loop would not outlive it -#}
    {%- set rewritten = namespace(text='trim(' ~ column ~ ')') -%}
    {%- for separator in ['/', '[.]', '-'] -%}
        {%- if order == 'YMD' -%}
            {%- set year = '[0-9]{4}|[0-9]{2}' if separator == '[.]' else '[0-9]{2}' -%}
            {%- set rewritten.text = regex_reorder(rewritten.text, '^(' ~ year ~ ')' ~ separator ~ '([0-9]{1,2})' ~ separator ~ '([0-9]{1,2})( .*|)$', [2, 3, 1]) -%}
        {%- elif order != 'MDY' or separator != '/' -%}
            {%- set rewritten.text = regex_reorder(rewritten.text, '^([0-9]{1,2})' ~ separator ~ '([0-9]{1,2})' ~ separator ~ '([0-9]{4}|[0-9]{2})( .*|)$', [2, 1, 3] if order == 'DMY' else [1, 2, 3]) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- now every day/month form is month/day/year: a first number of 13 to 99 is
        no month, and the year-first parsers would take it for a two-digit year
        (25/11/09 as the year 25), so the text is emptied and the row quarantined -#}
    {%- set rewritten.text = regex_remove(rewritten.text, '^(1[3-9]|[2-9][0-9])/[0-9]{1,2}/[0-9]{1,4}( .*|)$') -%}
    {{ rewritten.text }}
{%- endmacro %}

{#- regexp_replace of a whole text by groups 1-3 of pattern as 'a/b/c', then group 4. -#}
{% macro regex_reorder(text, pattern, groups) -%}
    {{ return(adapter.dispatch('regex_reorder', 'the_model')(text, pattern, groups)) }}
{%- endmacro %}

{% macro default__regex_reorder(text, pattern, groups) -%}
    regexp_replace({{ text }}, '{{ pattern }}', '\{{ groups[0] }}/\{{ groups[1] }}/\{{ groups[2] }}\4')
{%- endmacro %}

{#- A regular expression matches somewhere in text (anchor it for the whole). -#}
{% macro regex_matches(text, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'the_model')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(text, pattern) -%}
    regexp_matches({{ text }}, '{{ pattern }}')
{%- endmacro %}

{#- Every match of pattern removed from text. -#}
{% macro regex_remove(text, pattern) -%}
    {{ return(adapter.dispatch('regex_remove', 'the_model')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_remove(text, pattern) -%}
    regexp_replace({{ text }}, '{{ pattern }}', '', 'g')
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

{#- var('number_format'): how the export writes numbers. Digits with optional
    grouping separators in groups of exactly three and an optional decimal part;
    anything else (11930000,00 under 1,234.56; 1,23,456) does not parse. -#}
{% macro number_format() -%}
    {%- set formats = {
        '1,234.56': {'group': ',', 'decimal': '[.]', 'mark': '.'},
        '1.234,56': {'group': '[.]', 'decimal': ',', 'mark': ','},
        '1 234,56': {'group': '[   ]', 'decimal': ',', 'mark': ','},
    } -%}
    {%- set chosen = var('number_format', '1,234.56') -%}
    {%- if chosen not in formats -%}
        {{ exceptions.raise_compiler_error("var number_format is '" ~ chosen ~ "': use '1,234.56' (the default), '1.234,56' or '1 234,56' (a space or no-break space between groups).") }}
    {%- endif -%}
    {{ return(formats[chosen]) }}
{%- endmacro %}

{#- The pattern of an unsigned number under var('number_format'). -#}
{% macro number_pattern(decimals=true) -%}
    {%- set format = number_format() -%}
    {{- '([0-9]{1,3}(' ~ format.group ~ '[0-9]{3})+|[0-9]+)' ~ ('(' ~ format.decimal ~ '[0-9]+)?' if decimals else '') -}}
{%- endmacro %}

{#- Text with its grouping separators (and anything but digits, sign and the
    decimal mark) removed, the decimal mark as '.': '-1234.56'. -#}
{% macro plain_number(text) -%}
    {%- if number_format().mark == ',' -%}
        replace({{ regex_remove(text, '[^0-9,-]') }}, ',', '.')
    {%- else -%}
        {{ regex_remove(text, '[^0-9.-]') }}
    {%- endif -%}
{%- endmacro %}

{#- An amount: a number under var('number_format'), a minus sign, and at most
    one currency (an ISO code or a symbol) before or after it: "₩1,200,000",
    "$12,000.50", "USD 12,000", "-12 000,50 EUR". Its plain text ('-1234.56'),
    or null when it does not parse. -#}
{% macro money_text(column) -%}
    {%- set currency = '([A-Za-z]{3}|[₩$€¥£])' -%}
    {%- set number = number_pattern() -%}
    case
        when {{ regex_matches('trim(' ~ column ~ ')', '^(- *' ~ currency ~ '?|' ~ currency ~ '? *-?) *' ~ number ~ '$') }}
            or {{ regex_matches('trim(' ~ column ~ ')', '^-? *' ~ number ~ ' *' ~ currency ~ '$') }}
            then {{ plain_number('trim(' ~ column ~ ')') }}
    end
{%- endmacro %}

{#- The currency an amount's text names: its ISO code, or an unambiguous
    symbol (₩ KRW, € EUR, £ GBP; $ and ¥ name several currencies: null). -#}
{% macro money_currency(column) -%}
    case
        when {{ money_text(column) }} is null then null
        when {{ column }} like '%₩%' then 'KRW'
        when {{ column }} like '%€%' then 'EUR'
        when {{ column }} like '%£%' then 'GBP'
        else upper(nullif({{ regex_remove(column, '[^A-Za-z]') }}, ''))
    end
{%- endmacro %}

{#- The money text as decimal(18, 2); null when it does not parse or is a
    trillion or more (12 digits before the decimal mark: converted into the
    reporting currency and summed in the marts' decimal(18, 2), a larger amount
    could overflow there): the rules tell the two apart by money_text. -#}
{% macro parse_money(column) -%}
    {%- set text = money_text(column) -%}
    case
        when {{ regex_matches(text, '^-?[0-9]{1,12}([.][0-9]+)?$') }}
            then cast({{ text }} as decimal(18, 2))
    end
{%- endmacro %}

{#- An integer: an optional sign and digits, grouped under var('number_format')
    (1,200 is 1200 under the default); no decimal part. Plain text, or null. -#}
{% macro integer_text(column) -%}
    case
        when {{ regex_matches('trim(' ~ column ~ ')', '^[+-]?' ~ number_pattern(decimals=false) ~ '$') }}
            then {{ regex_remove('trim(' ~ column ~ ')', '[^0-9-]') }}
    end
{%- endmacro %}

{#- The integer text as bigint, null beyond 18 digits (the rules call that out_of_range). -#}
{% macro parse_integer(column) -%}
    {%- set text = integer_text(column) -%}
    case when {{ regex_matches(text, '^-?[0-9]{1,18}$') }} then cast({{ text }} as {{ dbt.type_bigint() }}) end
{%- endmacro %}

{#- Accepted, case-insensitive: true/false, t/f, 1/0, yes/no, y/n (a
    spreadsheet's TRUE/FALSE included). Anything else is unparseable_boolean. -#}
{% macro parse_boolean(column) -%}
    case
        when lower(trim({{ column }})) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim({{ column }})) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}

{#- Rules for typed columns, in the shape stage_export takes: a non-empty text
    that does not parse as its kind, then a value outside its range. -#}
{% macro parse_rules(kind, columns) -%}
    {%- set parser = {'boolean': parse_boolean, 'integer': integer_text, 'timestamp': parse_timestamp,
        'date': parse_date, 'amount': money_text}[kind] -%}
    {%- set rules = [] -%}
    {%- for column in columns -%}
        {%- do rules.append([clean_text(column) ~ ' is not null and ' ~ parser(column) ~ ' is null', 'unparseable_' ~ kind]) -%}
        {%- if kind == 'integer' -%}
            {%- do rules.append([integer_text(column) ~ ' is not null and ' ~ parse_integer(column) ~ ' is null', 'out_of_range']) -%}
        {%- elif kind == 'amount' -%}
            {%- do rules.append([money_text(column) ~ ' is not null and ' ~ parse_money(column) ~ ' is null', 'out_of_range']) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(rules) }}
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

{#- A field history value of a field of that kind (amount or date), new or old. -#}
{% macro field_value_rules(kind, columns) -%}
    {%- set rules = [] -%}
    {%- for condition, rule in parse_rules(kind, columns) -%}
        {%- do rules.append(["field = '" ~ ('close_date' if kind == 'date' else kind) ~ "' and " ~ condition, rule]) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}

{#- The currency of an amount: the currency column, else the currency the amount's
    text names (USD 12,000; 12.000 €), else var('reporting_currency')'s default. -#}
{% macro amount_currency(currency_column, amount_column) -%}
    coalesce(upper({{ clean_text(currency_column) }}), {{ money_currency(amount_column) }}, '{{ default_currency() }}')
{%- endmacro %}

{#- The currency column and the amount's text name different currencies. -#}
{% macro conflicting_currency(currency_column, amount_column) -%}
    upper({{ clean_text(currency_column) }}) != {{ money_currency(amount_column) }}
{%- endmacro %}

{#- An exchange rate: a number under var('number_format') (decimal mark and
    grouping as amounts), any number of decimals, no currency; plain text or null. -#}
{% macro rate_text(column) -%}
    case
        when {{ regex_matches('trim(' ~ column ~ ')', '^-?' ~ number_pattern() ~ '$') }}
            then {{ plain_number('trim(' ~ column ~ ')') }}
    end
{%- endmacro %}

{#- No currency column and the amount's text has only a symbol of several
    currencies ($, ¥): which one is a guess, so the row waits for the column. -#}
{% macro ambiguous_currency(currency_column, amount_column) -%}
    {{ clean_text(currency_column) }} is null and {{ money_text(amount_column) }} is not null
    and {{ money_currency(amount_column) }} is null
    and ({{ amount_column }} like '%$%' or {{ amount_column }} like '%¥%')
{%- endmacro %}
