-- One row per customer contract whose term has ended by the as-of month: the day it
-- came due and, when renewed, the day after its term (as in the stage log).
{{ after_quarantine_gate() }}
with contracts as (
    select * from {{ ref('stg_crm__contracts') }}
),

journeys as (
    select * from {{ ref('int_opportunity_journeys') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- the renewal's outcome from its opportunity, else the contract status
outcomes as (
    select
        contracts.contract_id,
        contracts.account_id,
        contracts.csm_id,
        contracts.annual_value_amount_reporting,
        case
            when renewals.is_closed and renewals.is_won then 'renewed'
            when renewals.is_closed then 'churned'
            when contracts.status in ('renewed', 'churned') then contracts.status
            else 'pending'
        end as outcome,
        contracts.end_date as due_date
    from contracts
    cross join as_of
    left join journeys as renewals on contracts.renewal_opportunity_id = renewals.opportunity_id
    where contracts.end_date <= cast({{ month_end_date('as_of.as_of_date') }} as date)
),

final as (
    select
        contract_id,
        account_id,
        csm_id,
        outcome,
        annual_value_amount_reporting,
        due_date,
        case
            when outcome = 'renewed' then cast({{ dbt.dateadd('day', 1, 'due_date') }} as date)
        end as renewed_date
    from outcomes
)

select * from final
