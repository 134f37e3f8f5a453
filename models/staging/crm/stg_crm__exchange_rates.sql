-- Rates to the reporting currency with the period each applies to: the export's
-- rates first, the seed's fallback for currencies or days the export lacks,
-- and 1.0 for the reporting currency itself.
with exported as (
    select
        currency,
        rate_date,
        rate,
        'export' as rate_source
    from {{ crm_ref('exchange_rates') }}
),

fallback as (
    select
        seed.currency,
        seed.rate_date,
        seed.rate,
        'seed' as rate_source
    from {{ ref('exchange_rates') }} as seed
    where not exists (
        select 1
        from exported
        where exported.currency = seed.currency and exported.rate_date <= seed.rate_date
    )
    and seed.currency != '{{ var("reporting_currency") }}'
),

reporting as (
    select
        '{{ var("reporting_currency") }}' as currency,
        cast('1900-01-01' as date) as rate_date,
        cast(1.0 as {{ type_double() }}) as rate,
        'reporting_currency' as rate_source
),

unioned as (
    select * from exported
    union all
    select * from fallback
    union all
    select * from reporting
),

final as (
    select
        currency,
        rate_source,
        rate,
        rate_date,
        lead(rate_date) over (partition by currency order by rate_date) as valid_to_date
    from unioned
)

select * from final
