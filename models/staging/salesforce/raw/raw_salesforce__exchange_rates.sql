-- Conversion rates in the generic layout: the dated ones (DatedConversionRate,
-- StartDate until NextStartDate) and the static ones (CurrencyType, no date),
-- each against the corporate currency of CurrencyType. Salesforce states units
-- of the currency per one corporate unit; the generic rate is the inverse
-- (corporate units per one unit of the currency).
with dated_rates as (
    select * from {{ ref('sf_dated_conversion_rate') }}
),

currency_types as (
    select * from {{ ref('sf_currency_type') }}
),

-- the org's corporate currency; null without a CurrencyType file, and then the
-- rates are taken to be against the reporting currency (docs/salesforce_format.md)
corporate as (
    select max(upper({{ clean_text('iso_code') }})) as base_currency
    from currency_types
    where {{ parse_boolean('is_corporate') }}
),

dated as (
    select
        dated_rates.start_date as rate_date,
        dated_rates.next_start_date as next_rate_date,
        dated_rates.iso_code as currency,
        dated_rates.conversion_rate,
        dated_rates._source_row,
        dated_rates._source_file
    from dated_rates
),

static as (
    select
        cast(null as {{ dbt.type_string() }}) as rate_date,
        cast(null as {{ dbt.type_string() }}) as next_rate_date,
        currency_types.iso_code as currency,
        currency_types.conversion_rate,
        currency_types._source_row,
        currency_types._source_file
    from currency_types
),

unioned as (
    select * from dated
    union all
    select * from static
),

translated as (
    select
        unioned.rate_date,
        unioned.currency,
        cast(
            1 / nullif({{ dbt.safe_cast(clean_text('unioned.conversion_rate'), type_double()) }}, 0)
            as {{ dbt.type_string() }}
        ) as rate,
        corporate.base_currency,
        unioned.next_rate_date,
        cast(null as {{ dbt.type_string() }}) as is_deleted,
        unioned._source_row,
        unioned._source_file
    from unioned
    cross join corporate
)

select * from translated
