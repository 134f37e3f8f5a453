-- Field sales (AE) KPIs per month and AE, plus a team row (user_id '_team')
-- computed from the same events. Every decided new-business deal counts, for
-- the owner when it closed (a deal with no owner only in the team row); slips
-- belong to the owner when the close date moved. An owner who closed deals has
-- a row in that month whether or not they held the field-sales role.
{{ after_quarantine_gate() }}
with opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business'
),

pipeline as (
    select * from {{ ref('int_pipeline_daily') }}
    where opportunity_type = 'new_business'
),

slips as (
    select * from {{ ref('int_close_date_changes') }}
    where direction = 'pushed_out'
),

owners as (
    select * from {{ ref('int_opportunity_field_values_historized') }}
    where field = 'owner_id'
),

role_months as (
    select * from {{ ref('int_user_role_months') }}
    where role = 'field_sales'
),

quotas as (
    select * from {{ ref('stg_crm__quotas') }}
),

capacity_overrides as (
    select * from {{ ref('ae_capacity') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

levels as (
    select false as is_team_row
    union all
    select true as is_team_row
),

decided_deals as (
    select
        closing_owner_id as user_id,
        cast({{ dbt.date_trunc('month', 'decided_on') }} as date) as month,
        case when is_won then 1 else 0 end as won,
        amount_reporting,
        won_amount_reporting,
        case when is_won then cycle_days end as won_cycle_days
    from opportunities
    where is_closed
),

closed_totals as (
    select
        case when levels.is_team_row then '_team' else decided_deals.user_id end as user_id,
        decided_deals.month,
        sum(decided_deals.won) as won_count,
        count(*) as closed_count,
        sum(decided_deals.won_amount_reporting) as won_amount,
        sum(decided_deals.amount_reporting) as closed_amount,
        {{ median('decided_deals.won_cycle_days') }} as median_won_cycle_days
    from decided_deals
    cross join levels
    group by 1, 2
),

-- open deals at the end of the month (or at the as-of day in the last month)
month_ends as (
    select
        pipeline.owner_id as user_id,
        cast({{ dbt.date_trunc('month', 'pipeline.pipeline_date') }} as date) as month,
        count(*) as open_deals_count
    from pipeline
    cross join as_of
    where
        pipeline.pipeline_date = least(
            cast({{ month_end_date('pipeline.pipeline_date') }} as date),
            as_of.as_of_date
        )
    group by pipeline.owner_id, cast({{ dbt.date_trunc('month', 'pipeline.pipeline_date') }} as date)
),

slip_events as (
    select
        owners.field_value as user_id,
        {{ business_month('slips.changed_at') }} as month,
        slips.opportunity_id,
        slips.change_days,
        slips.is_outlier
    from slips
    inner join owners
        on
            slips.opportunity_id = owners.opportunity_id
            and slips.changed_at >= owners.valid_from
            and (slips.changed_at < owners.valid_to or owners.valid_to is null)
),

slip_totals as (
    select
        case when levels.is_team_row then '_team' else slip_events.user_id end as user_id,
        slip_events.month,
        count(distinct slip_events.opportunity_id) as slipped_deals_count,
        -- an outlier push counts as a slipped deal, not in the days (var max_slip_days)
        sum(case when not slip_events.is_outlier then slip_events.change_days else 0 end) as slip_days
    from slip_events
    cross join levels
    group by 1, 2
),

people_months as (
    select
        role_months.user_id,
        role_months.month,
        role_months.productive_fte,
        role_months.ramp_factor,
        coalesce(month_ends.open_deals_count, 0) as open_deals_count,
        coalesce(capacity_overrides.max_open_deals, {{ var('ae_default_capacity') }}) as capacity_deals,
        quotas.quota_amount_reporting as quarter_quota_amount
    from role_months
    left join month_ends on role_months.user_id = month_ends.user_id and role_months.month = month_ends.month
    left join capacity_overrides on role_months.user_id = capacity_overrides.user_id
    left join quotas
        on
            role_months.user_id = quotas.user_id
            and quotas.quarter_start_date = {{ fiscal_quarter('role_months.month') }}
),

people_totals as (
    select
        case when levels.is_team_row then '_team' else people_months.user_id end as user_id,
        people_months.month,
        sum(people_months.productive_fte) as productive_fte,
        sum(people_months.open_deals_count) as open_deals_count,
        -- a ramping AE's capacity counts by the month's ramp factor (not by the share
        -- of the month elapsed, so the as-of month is not understated)
        sum(people_months.capacity_deals * people_months.ramp_factor) as capacity_deals,
        sum(people_months.quarter_quota_amount) as quarter_quota_amount
    from people_months
    cross join levels
    group by 1, 2
),

first_month as (
    select {{ business_month('min(created_at)') }} as month
    from opportunities
),

-- people in the role, and anyone who closed or slipped a deal that month
row_keys as (
    select
        candidate_keys.user_id,
        candidate_keys.month
    from (
        select
            user_id,
            month
        from people_totals
        union
        select
            user_id,
            month
        from closed_totals
        union
        select
            user_id,
            month
        from slip_totals
    ) as candidate_keys
    where
        candidate_keys.user_id is not null
        and candidate_keys.month >= (select first_month.month from first_month)
),

combined as (
    select
        row_keys.user_id,
        row_keys.month,
        coalesce(people_totals.productive_fte, 0) as productive_fte,
        coalesce(people_totals.open_deals_count, 0) as open_deals_count,
        coalesce(people_totals.capacity_deals, 0) as capacity_deals,
        people_totals.quarter_quota_amount,
        coalesce(closed_totals.won_count, 0) as won_count,
        coalesce(closed_totals.closed_count, 0) as closed_count,
        coalesce(closed_totals.won_amount, 0) as won_amount,
        coalesce(closed_totals.closed_amount, 0) as closed_amount,
        closed_totals.median_won_cycle_days,
        coalesce(slip_totals.slipped_deals_count, 0) as slipped_deals_count,
        coalesce(slip_totals.slip_days, 0) as slip_days
    from row_keys
    left join people_totals on row_keys.user_id = people_totals.user_id and row_keys.month = people_totals.month
    left join closed_totals on row_keys.user_id = closed_totals.user_id and row_keys.month = closed_totals.month
    left join slip_totals on row_keys.user_id = slip_totals.user_id and row_keys.month = slip_totals.month
),

with_quarter as (
    select
        combined.*,
        sum(combined.won_amount) over (
            partition by combined.user_id, {{ fiscal_quarter('combined.month') }}
            order by combined.month
            rows between unbounded preceding and current row
        ) as quarter_to_date_won_amount
    from combined
),

final as (
    select
        user_id,
        '{{ reporting_currency() }}' as reporting_currency,
        productive_fte,
        cast(open_deals_count as {{ dbt.type_bigint() }}) as open_deals_count,
        cast(capacity_deals as {{ type_double() }}) as capacity_deals,
        {{ safe_divide('open_deals_count', 'capacity_deals') }} as capacity_utilisation,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(closed_count as {{ dbt.type_bigint() }}) as closed_count,
        cast(won_amount as decimal(18, 2)) as won_amount,
        {{ safe_divide('won_count', 'closed_count') }} as win_rate,
        {{ safe_divide('won_amount', 'closed_amount') }} as win_rate_by_amount,
        cast(median_won_cycle_days as {{ type_double() }}) as median_won_cycle_days,
        cast(slipped_deals_count as {{ dbt.type_bigint() }}) as slipped_deals_count,
        cast(slip_days as {{ dbt.type_bigint() }}) as slip_days,
        cast(quarter_quota_amount as decimal(18, 2)) as quarter_quota_amount,
        cast(quarter_to_date_won_amount as decimal(18, 2)) as quarter_to_date_won_amount,
        {{ safe_divide('quarter_to_date_won_amount', 'quarter_quota_amount') }} as quota_attainment_rate,
        user_id = '_team' as is_team_row,
        month
    from with_quarter
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
