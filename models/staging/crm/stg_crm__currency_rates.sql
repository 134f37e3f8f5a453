-- One row per currency, base currency and period: units of the base currency for
-- one unit of the currency, from valid_from until valid_to (exclusive). Periods
-- never overlap within a currency and base: the export's dated rates first (of
-- two overlapping, the later start wins), its static rates for the days no dated
-- rate covers, then the seed for the currencies and days the export lacks.
with export_rates as (
    select
        currency,
        -- a rate that states no base is against the reporting currency
        coalesce(base_currency, '{{ reporting_currency() }}') as base_currency,
        rate as base_per_unit,
        rate_date as valid_from,
        coalesce(next_rate_date, cast('9999-12-31' as date)) as valid_to,
        case when rate_date is null then 'static' else 'dated' end as rate_source
    from {{ crm_ref('exchange_rates') }}
),

-- a base currency is worth one of itself, whatever a file says
dated_rates as (
    select * from export_rates
    where rate_source = 'dated' and currency != base_currency
),

-- each dated rate ends where the next one of its currency starts: later start wins
dated_resolved as (
    select
        currency,
        base_currency,
        base_per_unit,
        valid_from,
        least(
            valid_to,
            coalesce(
                lead(valid_from) over (
                    partition by currency, base_currency order by valid_from, valid_to, base_per_unit
                ),
                cast('9999-12-31' as date)
            )
        ) as valid_to,
        rate_source
    from dated_rates
),

dated_periods as (
    select * from dated_resolved
    where valid_from < valid_to
),

static_rates as (
    select
        currency,
        base_currency,
        base_per_unit,
        cast('1900-01-01' as date) as valid_from,
        valid_to,
        rate_source
    from export_rates
    where rate_source = 'static' and currency != base_currency
),

{{ periods_not_covered('static_periods', 'static_rates', 'dated_periods') }},

export_periods as (
    select * from dated_periods
    union all
    select * from static_periods
),

-- seed rates run until the next rate_date of their currency; the earliest also
-- covers the days before it
seed_rates as (
    select
        upper(currency) as currency,
        upper(base_currency) as base_currency,
        cast(rate as {{ type_double() }}) as base_per_unit,
        case
            when row_number() over (partition by currency, base_currency order by rate_date) = 1
                then cast('1900-01-01' as date)
            else rate_date
        end as valid_from,
        coalesce(
            lead(rate_date) over (partition by currency, base_currency order by rate_date),
            cast('9999-12-31' as date)
        ) as valid_to,
        'seed' as rate_source
    from {{ ref('exchange_rates') }}
    where upper(currency) != upper(base_currency)
),

{{ periods_not_covered('seed_periods', 'seed_rates', 'export_periods') }},

rated as (
    select * from export_periods
    union all
    select * from seed_periods
),

bases as (
    select distinct base_currency from rated
    union
    select '{{ reporting_currency() }}' as base_currency
),

base_periods as (
    select
        base_currency as currency,
        base_currency,
        cast(1.0 as {{ type_double() }}) as base_per_unit,
        cast('1900-01-01' as date) as valid_from,
        cast('9999-12-31' as date) as valid_to,
        'base' as rate_source
    from bases
),

final as (
    select
        currency,
        base_currency,
        rate_source,
        base_per_unit,
        valid_from,
        case when valid_to < cast('9999-12-31' as date) then valid_to end as valid_to
    from (
        select * from rated
        union all
        select * from base_periods
    ) as all_periods
)

select * from final
