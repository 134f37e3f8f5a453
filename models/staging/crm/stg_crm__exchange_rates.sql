-- Rates into the reporting currency, one row per currency and period: units of
-- the reporting currency for one unit of the currency. A currency converts
-- through a base currency in which both it and the reporting currency are rated,
-- on the same days: base units per unit of the currency / base units per unit
-- of the reporting currency. The export's base is used before the seed's.
{%- set reporting = reporting_currency() %}

with currency_rates as (
    select
        currency,
        base_currency,
        rate_source,
        base_per_unit,
        valid_from,
        coalesce(valid_to, cast('9999-12-31' as date)) as valid_to
    from {{ ref('stg_crm__currency_rates') }}
),

reporting_rates as (
    select * from currency_rates
    where currency = '{{ reporting }}'
),

export_bases as (
    select distinct base_currency
    from currency_rates
    where rate_source in ('dated', 'static')
),

through_bases as (
    select
        currency_rates.currency,
        currency_rates.base_currency,
        currency_rates.rate_source,
        currency_rates.base_per_unit / reporting_rates.base_per_unit as rate,
        greatest(currency_rates.valid_from, reporting_rates.valid_from) as valid_from,
        least(currency_rates.valid_to, reporting_rates.valid_to) as valid_to,
        case when export_bases.base_currency is null then 2 else 1 end as base_rank
    from currency_rates
    inner join reporting_rates
        on
            currency_rates.base_currency = reporting_rates.base_currency
            and currency_rates.valid_from < reporting_rates.valid_to
            and currency_rates.valid_to > reporting_rates.valid_from
    left join export_bases on currency_rates.base_currency = export_bases.base_currency
    where currency_rates.currency != '{{ reporting }}'
),

-- one base per currency, so its periods never overlap
chosen_bases as (
    select
        currency,
        base_currency,
        row_number() over (partition by currency order by base_rank, base_currency) as base_order
    from (
        select distinct
            currency,
            base_currency,
            base_rank
        from through_bases
    ) as candidates
),

converted as (
    select through_bases.*
    from through_bases
    inner join chosen_bases
        on
            through_bases.currency = chosen_bases.currency
            and through_bases.base_currency = chosen_bases.base_currency
            and chosen_bases.base_order = 1
),

reporting as (
    select
        '{{ reporting }}' as currency,
        '{{ reporting }}' as base_currency,
        'reporting_currency' as rate_source,
        cast(1.0 as {{ type_double() }}) as rate,
        cast('1900-01-01' as date) as valid_from,
        cast('9999-12-31' as date) as valid_to,
        1 as base_rank
),

all_rates as (
    select * from converted
    union all
    select * from reporting
),

-- missing_rate_policy nearest_earlier: the days after a period that no later
-- period covers take its rate, marked so the build can say how many amounts did
carried_rates as (
    select
        currency,
        base_currency,
        'nearest_earlier' as rate_source,
        rate,
        valid_to as valid_from,
        coalesce(next_from, cast('9999-12-31' as date)) as valid_to,
        base_rank
    from (
        select
            all_rates.*,
            lead(all_rates.valid_from) over (
                partition by all_rates.currency order by all_rates.valid_from
            ) as next_from
        from all_rates
    ) as ordered
    where
        {{ 'true' if missing_rate_policy() == 'nearest_earlier' else 'false' }}
        and valid_to < cast('9999-12-31' as date)
        and (next_from is null or next_from > valid_to)
),

final as (
    select
        currency,
        base_currency,
        rate_source,
        rate,
        valid_from as rate_date,
        case when valid_to < cast('9999-12-31' as date) then valid_to end as valid_to_date
    from (
        select * from all_rates
        union all
        select * from carried_rates
    ) as with_carried
)

select * from final
