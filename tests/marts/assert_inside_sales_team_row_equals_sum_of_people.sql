-- Additive inside sales KPIs: the team row equals the sum of the people rows.
with people as (
    select
        month,
        sum(opportunities_created_count) as opportunities_created_count,
        sum(accepted_count) as accepted_count,
        sum(rejected_count) as rejected_count,
        sum(activities_count) as activities_count,
        sum(other_activities_count) as other_activities_count,
        sum(type_defaulted_activities_count) as type_defaulted_activities_count,
        sum(amount_won) as amount_won
    from {{ ref('inside_sales_kpis_monthly') }}
    where not is_team_row
    group by month
),

team as (
    select * from {{ ref('inside_sales_kpis_monthly') }}
    where is_team_row
)

select
    team.month,
    team.opportunities_created_count,
    people.opportunities_created_count as people_opportunities_created_count
from team
left join people on team.month = people.month
where
    team.opportunities_created_count != coalesce(people.opportunities_created_count, 0)
    or team.accepted_count != coalesce(people.accepted_count, 0)
    or team.rejected_count != coalesce(people.rejected_count, 0)
    or team.activities_count != coalesce(people.activities_count, 0)
    or team.other_activities_count != coalesce(people.other_activities_count, 0)
    or team.type_defaulted_activities_count != coalesce(people.type_defaulted_activities_count, 0)
    or team.amount_won != coalesce(people.amount_won, 0)
