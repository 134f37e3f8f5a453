-- Customer success (CSM) KPIs per month and CSM, plus a team row (user_id '_team')
-- computed from the same events, so the team's rates are ratios of totals.
-- Renewals belong to the month the contract's term ends (its due month) and to
-- the contract's CSM, whenever the renewal was decided; expansions won to the
-- month they were decided (fct_opportunities.decided_on) and the owner at close.
{{ after_quarantine_gate() }}
with contracts as (
    select * from {{ ref('stg_crm__contracts') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

journeys as (
    select * from {{ ref('int_opportunity_journeys') }}
),

decided_days as (
    select
        opportunity_id,
        decided_on
    from {{ ref('fct_opportunities') }}
    where is_closed
),

role_months as (
    select * from {{ ref('int_user_role_months') }}
    where role = 'customer_success'
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

levels as (
    select false as is_team_row
    union all
    select true as is_team_row
),

expansions_won as (
    select
        journeys.opportunity_id,
        journeys.account_id,
        coalesce(journeys.closing_ae_id, opportunities.owner_id) as user_id,
        opportunities.amount_reporting,
        decided_days.decided_on
    from journeys
    inner join opportunities on journeys.opportunity_id = opportunities.opportunity_id
    inner join decided_days on journeys.opportunity_id = decided_days.opportunity_id
    where journeys.opportunity_type = 'expansion' and journeys.is_won
),

-- the renewal's outcome from its opportunity (stage history), else the contract status;
-- its value in the expiring contract's currency and at the same rate, so retention
-- does not move with exchange rates
due_contracts as (
    select
        contracts.contract_id,
        coalesce(contracts.csm_id, 'unassigned') as user_id,
        cast({{ dbt.date_trunc('month', 'contracts.end_date') }} as date) as month,
        contracts.annual_value_amount_reporting as due_amount,
        case
            when renewal_journeys.is_closed and renewal_journeys.is_won then 'renewed'
            when renewal_journeys.is_closed then 'churned'
            when contracts.status in ('renewed', 'churned') then contracts.status
            else 'pending'
        end as outcome,
        coalesce(
            cast(renewals.amount * renewal_rates.rate as decimal(18, 2)),
            contracts.annual_value_amount_reporting
        ) as renewal_amount,
        contracts.account_id,
        contracts.start_date,
        contracts.end_date
    from contracts
    cross join as_of
    left join opportunities as renewals on contracts.renewal_opportunity_id = renewals.opportunity_id
    left join journeys as renewal_journeys on contracts.renewal_opportunity_id = renewal_journeys.opportunity_id
    {{ join_rate_on('renewal_rates', 'renewals.currency', 'contracts.start_date') }}
    -- due by the as-of month, or later with the renewal already in motion
    where
        contracts.end_date is not null
        and (
            contracts.end_date <= cast({{ month_end_date('as_of.as_of_date') }} as date)
            or contracts.renewal_opportunity_id is not null
            or contracts.status in ('renewed', 'churned')
        )
),

-- expansions won on the account during the term of a contract that came due
due_expansions as (
    select
        due_contracts.contract_id,
        sum(expansions_won.amount_reporting) as expansion_amount
    from due_contracts
    inner join expansions_won
        on
            due_contracts.account_id = expansions_won.account_id
            and due_contracts.start_date <= expansions_won.decided_on
            and due_contracts.end_date >= expansions_won.decided_on
    group by 1
),

renewal_events as (
    select
        due_contracts.user_id,
        due_contracts.month,
        due_contracts.due_amount,
        case when due_contracts.outcome = 'renewed' then 1 else 0 end as renewed,
        case when due_contracts.outcome = 'churned' then 1 else 0 end as churned,
        case when due_contracts.outcome = 'pending' then 1 else 0 end as pending,
        case when due_contracts.outcome = 'renewed' then due_contracts.renewal_amount else 0 end as renewed_amount,
        -- gross retention counts downsell but not upsell at renewal
        case
            when due_contracts.outcome = 'renewed' then least(due_contracts.renewal_amount, due_contracts.due_amount)
            else 0
        end as retained_amount,
        case when due_contracts.outcome = 'churned' then due_contracts.due_amount else 0 end as churned_amount,
        case when due_contracts.outcome != 'pending' then due_contracts.due_amount else 0 end as decided_amount,
        case
            when due_contracts.outcome != 'pending' then coalesce(due_expansions.expansion_amount, 0) else 0
        end as decided_expansion_amount
    from due_contracts
    left join due_expansions on due_contracts.contract_id = due_expansions.contract_id
),

renewal_totals as (
    select
        case when levels.is_team_row then '_team' else renewal_events.user_id end as user_id,
        renewal_events.month,
        count(*) as renewals_due_count,
        sum(renewal_events.renewed) as renewed_count,
        sum(renewal_events.churned) as churned_count,
        sum(renewal_events.pending) as renewal_pending_count,
        sum(renewal_events.due_amount) as renewals_due_amount,
        sum(renewal_events.renewed_amount) as renewed_amount,
        sum(renewal_events.churned_amount) as churned_amount,
        sum(renewal_events.retained_amount) as retained_amount,
        sum(renewal_events.decided_amount) as decided_amount,
        sum(renewal_events.decided_expansion_amount) as decided_expansion_amount
    from renewal_events
    cross join levels
    group by 1, 2
),

expansion_totals as (
    select
        case when levels.is_team_row then '_team' else expansions_won.user_id end as user_id,
        cast({{ dbt.date_trunc('month', 'expansions_won.decided_on') }} as date) as month,
        count(*) as expansion_won_count,
        sum(expansions_won.amount_reporting) as expansion_amount
    from expansions_won
    cross join levels
    group by 1, 2
),

fte_totals as (
    select
        case when levels.is_team_row then '_team' else role_months.user_id end as user_id,
        role_months.month,
        sum(role_months.productive_fte) as productive_fte
    from role_months
    cross join levels
    group by 1, 2
),

-- every CSM month in the role, and every month with a CSM's renewals or expansions
-- (a departed CSM's contracts still show under them), from the first contract on
row_keys as (
    select
        candidate_keys.user_id,
        candidate_keys.month
    from (
        select
            fte_totals.user_id,
            fte_totals.month
        from fte_totals
        union
        select
            renewal_totals.user_id,
            renewal_totals.month
        from renewal_totals
        union
        select
            expansion_totals.user_id,
            expansion_totals.month
        from expansion_totals
    ) as candidate_keys
    where
        candidate_keys.month
        >= (select cast({{ dbt.date_trunc('month', 'min(start_date)') }} as date) from contracts)
),

final as (
    select
        row_keys.user_id,
        '{{ reporting_currency() }}' as reporting_currency,
        coalesce(fte_totals.productive_fte, 0) as productive_fte,
        cast(coalesce(renewal_totals.renewals_due_count, 0) as {{ dbt.type_bigint() }}) as renewals_due_count,
        cast(coalesce(renewal_totals.renewed_count, 0) as {{ dbt.type_bigint() }}) as renewed_count,
        cast(coalesce(renewal_totals.churned_count, 0) as {{ dbt.type_bigint() }}) as churned_count,
        cast(coalesce(renewal_totals.renewal_pending_count, 0) as {{ dbt.type_bigint() }}) as renewal_pending_count,
        cast(coalesce(expansion_totals.expansion_won_count, 0) as {{ dbt.type_bigint() }}) as expansion_won_count,
        cast(coalesce(renewal_totals.renewals_due_amount, 0) as decimal(18, 2)) as renewals_due_amount,
        cast(coalesce(renewal_totals.renewed_amount, 0) as decimal(18, 2)) as renewed_amount,
        cast(coalesce(renewal_totals.churned_amount, 0) as decimal(18, 2)) as churned_amount,
        cast(coalesce(expansion_totals.expansion_amount, 0) as decimal(18, 2)) as expansion_amount,
        {{ safe_divide('renewal_totals.renewed_count', 'renewal_totals.renewed_count + renewal_totals.churned_count') }}
            as renewal_rate,
        {{ safe_divide('renewal_totals.retained_amount', 'renewal_totals.decided_amount') }}
            as gross_revenue_retention_rate,
        {{ safe_divide('renewal_totals.renewed_amount + renewal_totals.decided_expansion_amount',
            'renewal_totals.decided_amount') }} as net_revenue_retention_rate,
        row_keys.user_id = '_team' as is_team_row,
        row_keys.month
    from row_keys
    left join fte_totals on row_keys.user_id = fte_totals.user_id and row_keys.month = fte_totals.month
    left join renewal_totals on row_keys.user_id = renewal_totals.user_id and row_keys.month = renewal_totals.month
    left join expansion_totals
        on row_keys.user_id = expansion_totals.user_id and row_keys.month = expansion_totals.month
),

-- the person's name beside the id (dim_users); team rows and people without a user row
-- (inferred from the records) have none
user_names as (
    select
        user_id,
        full_name
    from {{ ref('dim_users') }}
),

named as (
    select
        final.*,
        user_names.full_name as csm_name
    from final
    left join user_names on final.user_id = user_names.user_id
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        named.*,
        {{ run_id() }} as run_id
    from named
)

select * from with_run_id
