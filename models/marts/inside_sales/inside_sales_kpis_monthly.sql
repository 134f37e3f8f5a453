-- Inside sales (SDR) KPIs per month and SDR, plus a team row (user_id '_team')
-- computed from the same events, so the team's rates are ratios of totals.
-- Hand-off figures belong to the month the opportunity was created, and count
-- only real hand-offs (fct_handoffs): a deal an AE created for themselves is none.
-- Activity KPIs count calls, emails and meetings only (fct_activities.is_kpi_activity);
-- activities typed other and those exported without a type are counted beside them.
with handoffs as (
    select * from {{ ref('fct_handoffs') }}
    where opportunity_type = 'new_business'
),

leads as (
    select * from {{ ref('int_lead_journeys') }}
),

activities as (
    select * from {{ ref('fct_activities') }}
),

role_months as (
    select * from {{ ref('int_user_role_months') }}
    where role = 'inside_sales'
),

targets as (
    select * from {{ ref('kpi_targets') }}
    where metric = 'handoff_acceptance_rate'
),

first_touches as (
    select
        owner_id as user_id,
        {{ business_month('sdr_working_at') }} as month,
        {{ dbt.datediff('mql_at', 'sdr_working_at', 'minute') }} / cast(60 as {{ type_double() }}) as hours_to_first_touch  -- noqa: LT05
    from leads
    where owner_id is not null and sdr_working_at >= mql_at
),

sdr_activities as (
    select
        activities.owner_id as user_id,
        activities.lead_id,
        activities.is_kpi_activity,
        activities.is_type_defaulted,
        {{ business_month('activities.occurred_at') }} as month
    from activities
    inner join role_months
        on
            activities.owner_id = role_months.user_id
            and {{ business_month('activities.occurred_at') }} = role_months.month
),

-- every event counts twice: for its SDR and for the team row
levels as (
    select false as is_team_row
    union all
    select true as is_team_row
),

handoff_totals as (
    select
        case when levels.is_team_row then '_team' else handoffs.sdr_id end as user_id,
        {{ business_month('handoffs.handed_off_at') }} as month,
        count(*) as opportunities_created_count,
        sum(case when handoffs.is_accepted then 1 else 0 end) as accepted_count,
        sum(case when handoffs.is_rejected then 1 else 0 end) as rejected_count,
        avg(handoffs.qualification_completeness) as qualification_completeness_rate,
        sum(handoffs.amount_at_creation_reporting) as amount_at_creation,
        sum(handoffs.won_amount_reporting) as amount_won
    from handoffs
    cross join levels
    group by 1, 2
),

touch_totals as (
    select
        case when levels.is_team_row then '_team' else first_touches.user_id end as user_id,
        first_touches.month,
        {{ median('first_touches.hours_to_first_touch') }} as median_hours_to_first_touch
    from first_touches
    cross join levels
    group by 1, 2
),

activity_totals as (
    select
        case when levels.is_team_row then '_team' else sdr_activities.user_id end as user_id,
        sdr_activities.month,
        sum(case when sdr_activities.is_kpi_activity then 1 else 0 end) as activities_count,
        count(distinct case when sdr_activities.is_kpi_activity then sdr_activities.lead_id end)
            as leads_worked_count,
        sum(case when sdr_activities.is_kpi_activity then 0 else 1 end) as other_activities_count,
        sum(case when sdr_activities.is_type_defaulted then 1 else 0 end) as type_defaulted_activities_count
    from sdr_activities
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

-- from the first month with leads on: role history may reach further back
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
            handoff_totals.user_id,
            handoff_totals.month
        from handoff_totals
    ) as candidate_keys
    where candidate_keys.month >= (select {{ business_month('min(created_at)') }} from leads)
),

final as (
    select
        row_keys.user_id,
        {{ band_status(safe_divide('handoff_totals.accepted_count',
            'handoff_totals.accepted_count + handoff_totals.rejected_count')) }} as handoff_acceptance_band,
        '{{ reporting_currency() }}' as reporting_currency,
        coalesce(fte_totals.productive_fte, 0) as productive_fte,
        cast(coalesce(activity_totals.activities_count, 0) as {{ dbt.type_bigint() }}) as activities_count,
        cast(coalesce(activity_totals.leads_worked_count, 0) as {{ dbt.type_bigint() }}) as leads_worked_count,
        cast(coalesce(activity_totals.other_activities_count, 0) as {{ dbt.type_bigint() }})
            as other_activities_count,
        cast(coalesce(activity_totals.type_defaulted_activities_count, 0) as {{ dbt.type_bigint() }})
            as type_defaulted_activities_count,
        cast(coalesce(handoff_totals.opportunities_created_count, 0) as {{ dbt.type_bigint() }})
            as opportunities_created_count,
        {{ safe_divide('handoff_totals.opportunities_created_count', 'fte_totals.productive_fte') }}
            as opportunities_per_productive_fte,
        cast(coalesce(handoff_totals.accepted_count, 0) as {{ dbt.type_bigint() }}) as accepted_count,
        cast(coalesce(handoff_totals.rejected_count, 0) as {{ dbt.type_bigint() }}) as rejected_count,
        {{ safe_divide('handoff_totals.accepted_count',
            'handoff_totals.accepted_count + handoff_totals.rejected_count') }} as handoff_acceptance_rate,
        {{ safe_divide('handoff_totals.rejected_count', 'handoff_totals.opportunities_created_count') }}
            as handoff_dead_rate,
        cast(handoff_totals.qualification_completeness_rate as {{ type_double() }})
            as qualification_completeness_rate,
        cast(touch_totals.median_hours_to_first_touch as {{ type_double() }}) as median_hours_to_first_touch,
        cast(coalesce(handoff_totals.amount_at_creation, 0) as decimal(18, 2)) as amount_at_creation,
        cast(coalesce(handoff_totals.amount_won, 0) as decimal(18, 2)) as amount_won,
        row_keys.user_id = '_team' as is_team_row,
        row_keys.month
    from row_keys
    cross join targets
    left join fte_totals on row_keys.user_id = fte_totals.user_id and row_keys.month = fte_totals.month
    left join handoff_totals on row_keys.user_id = handoff_totals.user_id and row_keys.month = handoff_totals.month
    left join touch_totals on row_keys.user_id = touch_totals.user_id and row_keys.month = touch_totals.month
    left join activity_totals
        on row_keys.user_id = activity_totals.user_id and row_keys.month = activity_totals.month
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
        user_names.full_name as sdr_name
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
