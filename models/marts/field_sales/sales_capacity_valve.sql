-- Inside sales as the regulating valve: on the as-of day, how full each AE
-- (and the team) is, and what that means for hand-offs. Full AEs get only
-- high-certainty deals; AEs short of deals get them earlier.
{{ after_quarantine_gate() }}
with pipeline as (
    select * from {{ ref('int_pipeline_daily') }}
    where opportunity_type = 'new_business'
),

roles as (
    select * from {{ ref('int_user_roles_resolved') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

role_months as (
    select * from {{ ref('int_user_role_months') }}
    where role = 'field_sales'
),

capacity_overrides as (
    select * from {{ ref('ae_capacity') }}
),

targets as (
    select * from {{ ref('kpi_targets') }}
    where metric = 'ae_capacity_utilisation_rate'
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

levels as (
    select false as is_team_row
    union all
    select true as is_team_row
),

-- the AEs in the role at the as-of moment; a ramping AE's capacity counts by
-- the ramp factor of the month
aes as (
    select
        roles.user_id,
        coalesce(capacity_overrides.max_open_deals, {{ var('ae_default_capacity') }})
        * role_months.ramp_factor as capacity_deals
    from roles
    inner join users on roles.user_id = users.user_id
    cross join as_of
    inner join role_months
        on
            roles.user_id = role_months.user_id
            and role_months.month = cast({{ dbt.date_trunc('month', 'as_of.as_of_date') }} as date)
    left join capacity_overrides on roles.user_id = capacity_overrides.user_id
    where
        roles.role = 'field_sales'
        and roles.valid_from <= as_of.as_of_at
        and (roles.valid_to > as_of.as_of_at or roles.valid_to is null)
        and (users.terminated_at > as_of.as_of_at or users.terminated_at is null)
),

open_deals as (
    select
        pipeline.owner_id as user_id,
        count(*) as open_deals_count
    from pipeline
    cross join as_of
    where pipeline.pipeline_date = as_of.as_of_date
    group by pipeline.owner_id
),

per_ae as (
    select
        aes.user_id,
        aes.capacity_deals,
        coalesce(open_deals.open_deals_count, 0) as open_deals_count
    from aes
    left join open_deals on aes.user_id = open_deals.user_id
),

totals as (
    select
        case when levels.is_team_row then '_team' else per_ae.user_id end as user_id,
        sum(per_ae.open_deals_count) as open_deals_count,
        sum(per_ae.capacity_deals) as capacity_deals
    from per_ae
    cross join levels
    group by case when levels.is_team_row then '_team' else per_ae.user_id end
),

final as (
    select
        totals.user_id,
        case
            when {{ safe_divide('totals.open_deals_count', 'totals.capacity_deals') }} is null
                then 'hand_over_early'
            when {{ safe_divide('totals.open_deals_count', 'totals.capacity_deals') }} > targets.upper_bound
                then 'high_certainty_only'
            when {{ safe_divide('totals.open_deals_count', 'totals.capacity_deals') }} < targets.lower_bound
                then 'hand_over_early'
            else 'normal'
        end as guidance,
        cast(totals.open_deals_count as {{ dbt.type_bigint() }}) as open_deals_count,
        cast(totals.capacity_deals as {{ type_double() }}) as capacity_deals,
        {{ safe_divide('totals.open_deals_count', 'totals.capacity_deals') }} as utilisation_rate,
        totals.user_id = '_team' as is_team_row,
        as_of.as_of_date
    from totals
    cross join targets
    cross join as_of
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
        user_names.full_name as ae_name
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
