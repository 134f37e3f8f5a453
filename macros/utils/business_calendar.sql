{#- The business calendar: the time zone days and months are cut in
    (var business_time_zone) and the month the fiscal year starts in
    (var fiscal_year_start_month). Every *_date, month and quarter derived from a
    timestamp goes through these macros; *_at columns stay UTC. -#}

{#- var('business_time_zone'), an IANA name (Asia/Seoul, Europe/Berlin, UTC). -#}
{% macro business_time_zone() -%}
    {%- set zone = var('business_time_zone', 'UTC') -%}
    {%- if zone is not string or zone not in modules.pytz.all_timezones_set -%}
        {{ exceptions.raise_compiler_error(
            "var business_time_zone is '" ~ zone ~ "', which is no IANA time zone name: use one such as"
            ~ " UTC, Europe/Berlin, America/New_York or Asia/Seoul (the TZ identifier column of"
            ~ " https://en.wikipedia.org/wiki/List_of_tz_database_time_zones; case matters).") }}
    {%- endif -%}
    {{ return(zone) }}
{%- endmacro %}

{#- A UTC timestamp as the wall-clock time of the business time zone (a timestamp
    without zone). UTC leaves the expression as it is. -#}
{% macro business_time(timestamp) -%}
    {%- set zone = business_time_zone() -%}
    {%- if zone == 'UTC' -%}
        {{ timestamp }}
    {%- else -%}
        {{ return(adapter.dispatch('business_time', 'the_model')(timestamp, zone)) }}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB (ICU): read the naive timestamp as UTC, then render it in the zone. -#}
{% macro default__business_time(timestamp, zone) -%}
    timezone('{{ zone }}', timezone('UTC', {{ timestamp }}))
{%- endmacro %}

{#- The business day of a UTC timestamp. -#}
{% macro business_date(timestamp) -%}
    cast({{ business_time(timestamp) }} as date)
{%- endmacro %}

{#- The first day of the business month of a UTC timestamp. -#}
{% macro business_month(timestamp) -%}
    cast({{ dbt.date_trunc('month', business_time(timestamp)) }} as date)
{%- endmacro %}

{#- var('fiscal_year_start_month'), checked: 1 (January, the calendar year) to 12. -#}
{% macro fiscal_year_start_month() -%}
    {%- set month = var('fiscal_year_start_month', 1) | string | trim -%}
    {%- if not month.isdigit() or month | int < 1 or month | int > 12 -%}
        {{ exceptions.raise_compiler_error(
            "var fiscal_year_start_month is '" ~ month ~ "': use the number of the month the fiscal"
            ~ " year starts in, 1 (January: the calendar year) to 12 (4 = April).") }}
    {%- endif -%}
    {{ return(month | int) }}
{%- endmacro %}

{#- The first day of the fiscal quarter a date (or business-time timestamp) falls
    in: fiscal quarters start in the fiscal year's first month and every third
    month after it, so they are calendar quarters shifted by
    (fiscal_year_start_month - 1) mod 3 months. -#}
{% macro fiscal_quarter(day) -%}
    {%- set shift = (fiscal_year_start_month() - 1) % 3 -%}
    {%- if shift == 0 -%}
        cast({{ dbt.date_trunc('quarter', day) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd('month', shift, dbt.date_trunc('quarter', dbt.dateadd('month', -shift, day))) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- The fiscal year of a date: the calendar year the fiscal year ends in (with
    April as first month, 2025-04-01 to 2026-03-31 is fiscal year 2026); with
    January, the calendar year. -#}
{% macro fiscal_year(day) -%}
    {%- set first_month = fiscal_year_start_month() -%}
    {%- if first_month == 1 -%}
        cast(extract(year from {{ day }}) as integer)
    {%- else -%}
        cast(extract(year from {{ dbt.dateadd('month', 13 - first_month, day) }}) as integer)
    {%- endif -%}
{%- endmacro %}

{#- The number (1 to 4) of the fiscal quarter a date falls in. -#}
{% macro fiscal_quarter_number(day) -%}
    cast(floor(mod(cast(extract(month from {{ day }}) as integer) + {{ 12 - fiscal_year_start_month() }}, 12) / 3) as integer) + 1
{%- endmacro %}

{#- The first day of the fiscal quarter of a UTC timestamp's business day. -#}
{% macro business_quarter(timestamp) -%}
    {{ fiscal_quarter(business_time(timestamp)) }}
{%- endmacro %}
