with staged as (
    select
        contract_id,
        account_id,
        opportunity_id,
        csm_id,
        renewal_opportunity_id,
        currency,
        status,
        annual_value_amount,
        start_date,
        end_date
    from {{ ref('base_generic__contracts') }}
    where row_status = 'staged'
)

select * from staged
