-- Contracts in the generic layout. The owner is the customer success manager;
-- the annual value, the opportunities and the renewal status are the demo org's
-- custom fields (a standard org leaves them empty).
with contracts as (
    select * from {{ ref('sf_contract') }}
),

translated as (
    select
        {{ sf_id('id') }} as contract_id,
        {{ sf_id('account_id') }} as account_id,
        {{ sf_id('opportunity_c') }} as opportunity_id,
        start_date,
        end_date,
        annual_value_c as annual_value,
        currency_iso_code as currency,
        {{ sf_id('owner_id') }} as csm_id,
        {{ sf_id('renewal_opportunity_c') }} as renewal_opportunity_id,
        lower(coalesce(renewal_status_c, status)) as status,
        is_deleted,
        _source_row,
        _source_file
    from contracts
)

select * from translated
