-- Additive customer success KPIs: the team row equals the sum of the people rows,
-- and every month with people rows has a team row.
with people as (
    select
        month,
        sum(renewals_due_count) as renewals_due_count,
        sum(renewed_count) as renewed_count,
        sum(churned_count) as churned_count,
        sum(renewal_pending_count) as renewal_pending_count,
        sum(expansion_won_count) as expansion_won_count,
        sum(renewals_due_amount) as renewals_due_amount,
        sum(renewed_amount) as renewed_amount,
        sum(churned_amount) as churned_amount,
        sum(expansion_amount) as expansion_amount,
        sum(productive_fte) as productive_fte
    from {{ ref('customer_success_kpis_monthly') }}
    where not is_team_row
    group by month
),

team as (
    select * from {{ ref('customer_success_kpis_monthly') }}
    where is_team_row
)

select
    coalesce(team.month, people.month) as month,
    team.renewals_due_count,
    people.renewals_due_count as people_renewals_due_count
from team
full outer join people on team.month = people.month
where
    team.month is null
    or team.renewals_due_count != coalesce(people.renewals_due_count, 0)
    or team.renewed_count != coalesce(people.renewed_count, 0)
    or team.churned_count != coalesce(people.churned_count, 0)
    or team.renewal_pending_count != coalesce(people.renewal_pending_count, 0)
    or team.expansion_won_count != coalesce(people.expansion_won_count, 0)
    or team.renewals_due_amount != coalesce(people.renewals_due_amount, 0)
    or team.renewed_amount != coalesce(people.renewed_amount, 0)
    or team.churned_amount != coalesce(people.churned_amount, 0)
    or team.expansion_amount != coalesce(people.expansion_amount, 0)
    or abs(team.productive_fte - coalesce(people.productive_fte, 0)) > 0.000001
    -- due = renewed + churned + pending
    or team.renewals_due_count != team.renewed_count + team.churned_count + team.renewal_pending_count
