-- Renewal and expansion deals decided per month and type: what existing
-- customers bought, whether or not the org has a customer-success role or
-- contracts in its export (customer_success_kpis_monthly needs both). Every
-- decided deal of the type counts, by the month it closed.
with opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where opportunity_type in ('renewal', 'expansion') and is_closed
),

totals as (
    select
        opportunity_type,
        cast({{ dbt.date_trunc('month', 'decided_on') }} as date) as month,
        count(*) as closed_count,
        sum(case when is_won then 1 else 0 end) as won_count,
        sum(won_amount_reporting) as won_amount,
        count(distinct closing_owner_id) as owners_count
    from opportunities
    group by 1, 2
),

final as (
    select
        opportunity_type,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(closed_count as {{ dbt.type_bigint() }}) as closed_count,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(closed_count - won_count as {{ dbt.type_bigint() }}) as lost_count,
        cast(won_amount as decimal(18, 2)) as won_amount,
        {{ safe_divide('won_count', 'closed_count') }} as win_rate,
        cast(owners_count as {{ dbt.type_bigint() }}) as owners_count,
        month
    from totals
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        final.*,
        {{ run_id() }} as run_id
    from final
)

select * from with_run_id
