-- The team row of inside_sales_kpis_monthly counts every new-business hand-off
-- (fct_handoffs) in the month it was made, accepted and rejected.
with mart as (
    select
        month,
        opportunities_created_count,
        accepted_count,
        rejected_count
    from {{ ref('inside_sales_kpis_monthly') }}
    where is_team_row and opportunities_created_count > 0
),

facts as (
    select
        {{ business_month('handed_off_at') }} as month,
        count(*) as opportunities_created_count,
        sum(case when is_accepted then 1 else 0 end) as accepted_count,
        sum(case when is_rejected then 1 else 0 end) as rejected_count
    from {{ ref('fct_handoffs') }}
    where opportunity_type = 'new_business'
    group by 1
)

{{ totals_differ('mart', 'facts', ['month'], ['opportunities_created_count', 'accepted_count', 'rejected_count']) }}
