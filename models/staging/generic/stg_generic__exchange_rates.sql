with staged as (
    select
        currency,
        rate,
        rate_date
    from {{ ref('base_generic__exchange_rates') }}
    where row_status = 'staged'
)

select * from staged
