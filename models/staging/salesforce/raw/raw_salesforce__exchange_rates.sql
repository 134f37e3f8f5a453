-- Dated conversion rates in the generic layout. Salesforce states units of the
-- currency per one unit of the corporate currency, which must be the reporting
-- currency; the generic rate is the inverse (reporting currency per unit).
with rates as (
    select * from {{ ref('sf_dated_conversion_rate') }}
),

translated as (
    select
        start_date as rate_date,
        iso_code as currency,
        cast(
            1 / nullif({{ dbt.safe_cast(clean_text('conversion_rate'), type_double()) }}, 0)
            as {{ dbt.type_string() }}
        ) as rate,
        cast(null as {{ dbt.type_string() }}) as is_deleted,
        _source_row,
        _source_file
    from rates
)

select * from translated
