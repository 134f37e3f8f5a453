-- Each SDR's call list for the next working day (Monday to Friday, not in the
-- holidays seed) after the as-of date: one row per lead to call, with the reason and a rank per SDR.
-- Statuses and stages are those at the as-of moment (stage history), activities
-- those up to it. Reasons, first to last in the rank:
--   new_high_fit_lead  owned, untouched lead in lead_created / mql with
--                      fit_score >= var('call_list_min_fit_score') (highest fit first)
--   due_follow_up      lead in sdr_working whose last touch (or, never touched,
--                      its entry into sdr_working) is older than
--                      var('call_list_follow_up_days') days (longest untouched first)
--   stale_handoff      new-business opportunity the SDR created, still in the
--                      hand-off (entry) stage after var('call_list_stale_handoff_days') days
-- Only SDRs who hold the inside sales role at the as-of moment; unassigned leads
-- are on no list.
{{ after_quarantine_gate() }}
with leads as (
    select * from {{ ref('stg_crm__leads') }}
),

lead_journeys as (
    select * from {{ ref('int_lead_journeys') }}
),

journeys as (
    select * from {{ ref('int_opportunity_journeys') }}
    where opportunity_type = 'new_business'
),

intervals as (
    select * from {{ ref('int_stage_intervals_reconstructed') }}
    where not is_skipped
),

-- the hand-off stage, whatever id the company gives it
entry_stages as (
    select * from {{ ref('int_funnel_stages') }}
    where entity_type = 'opportunity' and is_entry_stage
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

roles as (
    select * from {{ ref('int_user_roles_resolved') }}
    where role = 'inside_sales'
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

holidays as (
    select * from {{ ref('holidays') }}
),

-- the next 31 days after the as-of date; a longer run of days off leaves no call day
day_offsets as (
    {%- for offset in range(1, 32) %}
        select {{ offset }} as day_offset
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

next_days as (
    select
        as_of.as_of_at,
        as_of.as_of_date,
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'as_of.as_of_date') }} as date) as next_date
    from as_of
    cross join day_offsets
),

-- the first of them that is Monday to Friday (days since Monday 1 January 1900,
-- modulo 7: 0 Monday to 6 Sunday) and no holiday
call_day as (
    select
        next_days.as_of_at,
        next_days.as_of_date,
        min(next_days.next_date) as call_date
    from next_days
    left join holidays on next_days.next_date = holidays.holiday_date
    where
        mod({{ dbt.datediff("cast('1900-01-01' as date)", 'next_days.next_date', 'day') }}, 7) < 5
        and holidays.holiday_date is null
    group by next_days.as_of_at, next_days.as_of_date
),

sdrs as (
    select distinct roles.user_id
    from roles
    inner join users on roles.user_id = users.user_id
    cross join call_day
    where
        roles.valid_from <= call_day.as_of_at
        and (roles.valid_to is null or roles.valid_to > call_day.as_of_at)
        and (users.terminated_at is null or users.terminated_at > call_day.as_of_at)
),

-- each entity's stage at the as-of moment
stages_as_of as (
    select
        intervals.entity_type,
        intervals.entity_id,
        intervals.pipeline_id,
        intervals.stage,
        intervals.entered_at
    from intervals
    cross join call_day
    where
        intervals.entered_at <= call_day.as_of_at
        and (intervals.exited_at is null or intervals.exited_at > call_day.as_of_at)
),

lead_touches as (
    select
        activities.lead_id,
        max(activities.occurred_at) as last_activity_at
    from activities
    cross join call_day
    where activities.lead_id is not null and activities.occurred_at <= call_day.as_of_at
    group by activities.lead_id
),

opportunity_touches as (
    select
        activities.opportunity_id,
        max(activities.occurred_at) as last_activity_at
    from activities
    cross join call_day
    where activities.opportunity_id is not null and activities.occurred_at <= call_day.as_of_at
    group by activities.opportunity_id
),

lead_candidates as (
    select
        leads.owner_id as user_id,
        leads.lead_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        stages_as_of.stage as status,
        lead_touches.last_activity_at,
        coalesce(lead_touches.last_activity_at, stages_as_of.entered_at) as last_touch_at,
        case
            when
                stages_as_of.stage in ('lead_created', 'mql')
                and lead_touches.last_activity_at is null
                and leads.fit_score >= {{ var('call_list_min_fit_score') }}
                then 'new_high_fit_lead'
            when
                stages_as_of.stage = 'sdr_working'
                and {{ dbt.datediff('coalesce(lead_touches.last_activity_at, stages_as_of.entered_at)',
                    'call_day.as_of_at', 'second') }} > {{ var('call_list_follow_up_days') }} * 86400
                then 'due_follow_up'
        end as reason
    from leads
    inner join stages_as_of
        on stages_as_of.entity_type = 'lead' and leads.lead_id = stages_as_of.entity_id
    left join lead_touches on leads.lead_id = lead_touches.lead_id
    cross join call_day
    where leads.created_at <= call_day.as_of_at
),

handoff_candidates as (
    select
        journeys.sdr_id as user_id,
        journeys.lead_id,
        journeys.opportunity_id,
        stages_as_of.stage as status,
        opportunity_touches.last_activity_at,
        coalesce(opportunity_touches.last_activity_at, journeys.created_at) as last_touch_at,
        'stale_handoff' as reason
    from journeys
    inner join stages_as_of
        on stages_as_of.entity_type = 'opportunity' and journeys.opportunity_id = stages_as_of.entity_id
    inner join entry_stages
        on stages_as_of.pipeline_id = entry_stages.pipeline_id and stages_as_of.stage = entry_stages.stage
    left join opportunity_touches on journeys.opportunity_id = opportunity_touches.opportunity_id
    cross join call_day
    where
        journeys.lead_id is not null
        and {{ dbt.datediff('journeys.created_at', 'call_day.as_of_at', 'second') }}
        > {{ var('call_list_stale_handoff_days') }} * 86400
),

candidates as (
    select * from lead_candidates
    where reason is not null
    union all
    select * from handoff_candidates
),

-- one row per lead (a lead with several stale hand-offs: the oldest)
reasoned as (
    select
        candidates.*,
        case candidates.reason
            when 'new_high_fit_lead' then 1
            when 'due_follow_up' then 2
            else 3
        end as reason_order,
        row_number() over (
            partition by candidates.lead_id
            order by candidates.last_touch_at asc, candidates.opportunity_id asc
        ) as lead_row
    from candidates
    inner join sdrs on candidates.user_id = sdrs.user_id
),

facts as (
    select
        reasoned.user_id,
        reasoned.lead_id,
        reasoned.opportunity_id,
        lead_journeys.account_id,
        reasoned.reason,
        reasoned.status,
        lead_journeys.channel,
        lead_journeys.segment,
        leads.fit_score,
        reasoned.reason_order,
        {{ dbt.datediff('reasoned.last_touch_at', 'call_day.as_of_at', 'second') }} / cast(86400 as {{ type_double() }})  -- noqa: LT05
            as days_since_last_touch,
        call_day.as_of_date,
        call_day.call_date,
        reasoned.last_activity_at
    from reasoned
    inner join leads on reasoned.lead_id = leads.lead_id
    inner join lead_journeys on reasoned.lead_id = lead_journeys.lead_id
    cross join call_day
    where reasoned.lead_row = 1
),

final as (
    select
        user_id,
        lead_id,
        opportunity_id,
        account_id,
        reason,
        status,
        channel,
        segment,
        cast(fit_score as {{ dbt.type_bigint() }}) as fit_score,
        cast(row_number() over (
            partition by user_id
            order by
                reason_order asc,
                case when reason = 'new_high_fit_lead' then fit_score end desc,
                days_since_last_touch desc,
                lead_id asc
        ) as {{ dbt.type_bigint() }}) as priority_rank,
        cast(days_since_last_touch as {{ type_double() }}) as days_since_last_touch,
        as_of_date,
        call_date,
        last_activity_at
    from facts
),

-- the person's name beside the id (dim_users); people without a user row
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
