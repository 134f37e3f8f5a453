{#- One row per period from start_date (inclusive) to end_date (exclusive),
    column date_<datepart>. Plain cross joins of digits instead of
    generate_series, so it runs on every target; covers up to 100,000 periods. -#}
{% macro date_spine(datepart, start_date, end_date) -%}
    {{ return(adapter.dispatch('date_spine', 'the_model')(datepart, start_date, end_date)) }}
{%- endmacro %}

{% macro default__date_spine(datepart, start_date, end_date) -%}
    select period_start as date_{{ datepart }}
    from (
        select cast({{ dbt.dateadd(datepart, 'period_number', start_date) }} as date) as period_start
        from (
            select
                ones.digit
                + 10 * tens.digit
                + 100 * hundreds.digit
                + 1000 * thousands.digit
                + 10000 * ten_thousands.digit as period_number
            from {{ _spine_digits() }} as ones
            cross join {{ _spine_digits() }} as tens
            cross join {{ _spine_digits() }} as hundreds
            cross join {{ _spine_digits() }} as thousands
            cross join {{ _spine_digits() }} as ten_thousands
        ) as numbers
    ) as periods
    where period_start < cast({{ end_date }} as date)
{%- endmacro %}

{% macro _spine_digits() -%}
    (
        select 0 as digit union all select 1 union all select 2 union all select 3
        union all select 4 union all select 5 union all select 6 union all select 7
        union all select 8 union all select 9
    )
{%- endmacro %}

{#- DuckDB too joined the 100,000 digit rows before filtering them (180 million
    rows for the quarters of 1,800 AEs at scale 200); generate_series makes only
    the periods needed. -#}
{% macro duckdb__date_spine(datepart, start_date, end_date) -%}
    select period_start as date_{{ datepart }}
    from (
        select cast({{ dbt.dateadd(datepart, 'numbers.period_number', start_date) }} as date) as period_start
        from generate_series(
            0, cast({{ dbt.datediff(start_date, end_date, datepart) }} as bigint) + 1
        ) as numbers (period_number)
    ) as periods
    where period_start < cast({{ end_date }} as date)
{%- endmacro %}

{#- PostgreSQL joins the 100,000 digit rows before it filters them (a range join on the
    daily spine took minutes); generate_series makes only the periods needed. -#}
{% macro postgres__date_spine(datepart, start_date, end_date) -%}
    select period_start as date_{{ datepart }}
    from (
        select cast({{ dbt.dateadd(datepart, 'period_number', start_date) }} as date) as period_start
        from generate_series(0, cast({{ dbt.datediff(start_date, end_date, datepart) }} as integer)) as period_number
    ) as periods
    where period_start < cast({{ end_date }} as date)
{%- endmacro %}
