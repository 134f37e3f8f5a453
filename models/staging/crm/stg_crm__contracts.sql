{{ config(post_hook=[
    "{{ report_nearest_earlier_rates('annual_value_amount', 'rows_of_entity.start_date', 'contracts') }}",
]) }}

with contracts as (
    select * from {{ crm_ref('contracts') }}
),

final as (
    select
        contracts.contract_id,
        contracts.account_id,
        contracts.opportunity_id,
        contracts.csm_id,
        contracts.renewal_opportunity_id,
        contracts.currency,
        contracts.status,
        contracts.annual_value_amount,
        cast(contracts.annual_value_amount * rates.rate as decimal(18, 2)) as annual_value_amount_reporting,
        contracts.start_date,
        contracts.end_date
    from contracts
    {{ join_rate_on('rates', 'contracts.currency', 'contracts.start_date') }}
)

select * from final
