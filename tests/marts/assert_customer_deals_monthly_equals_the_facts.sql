-- customer_deals_monthly counts every renewal and expansion decided in the
-- month (fct_opportunities), won and lost, and the amount won.
with mart as (
    select
        month,
        opportunity_type,
        won_count,
        closed_count,
        won_amount
    from {{ ref('customer_deals_monthly') }}
),

facts as (
    select
        cast({{ dbt.date_trunc('month', 'decided_on') }} as date) as month,
        opportunity_type,
        sum(case when is_won then 1 else 0 end) as won_count,
        count(*) as closed_count,
        sum(won_amount_reporting) as won_amount
    from {{ ref('fct_opportunities') }}
    where opportunity_type in ('renewal', 'expansion') and is_closed
    group by 1, 2
)

{{ totals_differ('mart', 'facts', ['month', 'opportunity_type'], ['won_count', 'closed_count', 'won_amount']) }}
