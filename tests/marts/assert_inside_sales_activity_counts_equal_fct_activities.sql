-- The activity KPIs of inside_sales_kpis_monthly equal fct_activities' counts of
-- the types they name: activities_count = calls + emails + meetings (never
-- `other`), other_activities_count = `other`, type_defaulted_activities_count =
-- activities exported without a type; per SDR and month, and on the team row.
with role_months as (
    select * from {{ ref('int_user_role_months') }}
    where role = 'inside_sales'
),

sdr_activities as (
    select
        activities.owner_id as user_id,
        activities.activity_type,
        activities.is_type_defaulted,
        {{ business_month('activities.occurred_at') }} as month
    from {{ ref('fct_activities') }} as activities
    inner join role_months
        on
            activities.owner_id = role_months.user_id
            and {{ business_month('activities.occurred_at') }} = role_months.month
),

per_person as (
    select
        user_id,
        month,
        sum(case when activity_type in ('call', 'email', 'meeting') then 1 else 0 end) as named_types_count,
        sum(case when activity_type = 'other' then 1 else 0 end) as other_count,
        sum(case when is_type_defaulted then 1 else 0 end) as defaulted_count
    from sdr_activities
    group by user_id, month
),

expected as (
    select * from per_person
    union all
    select
        '_team' as user_id,
        month,
        sum(named_types_count) as named_types_count,
        sum(other_count) as other_count,
        sum(defaulted_count) as defaulted_count
    from per_person
    group by month
),

mart as (
    select * from {{ ref('inside_sales_kpis_monthly') }}
)

select
    mart.user_id,
    mart.month,
    mart.activities_count,
    expected.named_types_count,
    mart.other_activities_count,
    expected.other_count,
    mart.type_defaulted_activities_count,
    expected.defaulted_count
from mart
left join expected on mart.user_id = expected.user_id and mart.month = expected.month
where
    mart.activities_count != coalesce(expected.named_types_count, 0)
    or mart.other_activities_count != coalesce(expected.other_count, 0)
    or mart.type_defaulted_activities_count != coalesce(expected.defaulted_count, 0)
