-- The team row of field_sales_kpis_monthly counts every new-business deal
-- decided in the month (fct_opportunities), won and lost, and their amounts.
with mart as (
    select
        month,
        won_count,
        closed_count,
        won_amount
    from {{ ref('field_sales_kpis_monthly') }}
    where is_team_row and (won_count > 0 or closed_count > 0)
),

facts as (
    select
        cast({{ dbt.date_trunc('month', 'decided_on') }} as date) as month,
        sum(case when is_won then 1 else 0 end) as won_count,
        count(*) as closed_count,
        sum(won_amount_reporting) as won_amount
    from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business' and is_closed
    group by 1
)

{{ totals_differ('mart', 'facts', ['month'], ['won_count', 'closed_count', 'won_amount']) }}
