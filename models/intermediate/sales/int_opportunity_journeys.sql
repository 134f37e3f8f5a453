-- One row per opportunity with the time it first reached each milestone and
-- the people at each hand-off: the campaign and its marketer, the SDR who
-- created it, the AE who owned it when it was accepted, the AE who owned it at
-- close, and the CSM of the resulting contract. Owners come from the owner
-- history, not today's owner. Opportunities created after the as-of moment do
-- not exist yet. A deal created at a later stage reached the earlier milestones
-- at its creation (entered_at_later_stage); without field history its path is
-- creation -> current stage, closed at its close date (stage_history_source).
{{ after_quarantine_gate() }}
with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

intervals as (
    select * from {{ ref('int_stage_intervals_reconstructed') }}
    where entity_type = 'opportunity'
),

stages as (
    select * from {{ ref('int_funnel_stages') }}
    where entity_type = 'opportunity'
),

owners as (
    select * from {{ ref('int_opportunity_field_values_historized') }}
    where field = 'owner_id'
),

contracts as (
    select * from {{ ref('stg_crm__contracts') }}
),

leads as (
    select * from {{ ref('int_lead_journeys') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

stage_histories as (
    select distinct opportunity_id
    from {{ ref('stg_crm__opportunity_changes') }}
    where field = 'stage'
),

-- deals whose field history ends in another stage than their record says
-- (the record's stage was added as their last event)
contradicted_histories as (
    select distinct entity_id as opportunity_id
    from {{ ref('int_stage_events_unioned') }}
    where entity_type = 'opportunity' and event_source = 'record'
),

milestones as (
    select
        intervals.entity_id as opportunity_id,
        min(case when stages.is_accepted_or_later then intervals.entered_at end) as accepted_at,
        max(
            case
                when intervals.is_current and (intervals.is_won_stage or intervals.is_lost_stage)
                    then intervals.entered_at
            end
        ) as closed_at,
        max(case when intervals.is_current then intervals.stage end) as current_stage,
        max(case when intervals.is_current and intervals.is_won_stage then 1 else 0 end) = 1 as is_won,
        max(
            case when intervals.is_current and (intervals.is_won_stage or intervals.is_lost_stage) then 1 else 0 end
        ) = 1 as is_closed,
        max(case when intervals.is_reopened then 1 else 0 end) = 1 as was_reopened,
        max(case when intervals.is_regression then 1 else 0 end) = 1 as had_regression,
        max(case when intervals.is_passed_at_creation then 1 else 0 end) = 1 as entered_at_later_stage,
        sum(case when intervals.is_skipped and not intervals.is_passed_at_creation then 1 else 0 end)
            as skipped_stages_count
    from intervals
    left join stages on intervals.pipeline_id = stages.pipeline_id and intervals.stage = stages.stage
    group by intervals.entity_id
),

contract_csms as (
    select
        opportunity_id,
        min(csm_id) as csm_id
    from contracts
    group by opportunity_id
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.lead_id,
        leads.campaign_id,
        leads.marketer_id,
        coalesce(leads.channel, 'unknown') as channel,
        opportunities.created_by_id as sdr_id,
        creating_owner.field_value as owner_at_creation_id,
        accepting_owner.field_value as accepting_ae_id,
        closing_owner.field_value as closing_ae_id,
        contract_csms.csm_id,
        opportunities.pipeline_id,
        opportunities.opportunity_type,
        coalesce(accounts.segment, 'unknown') as segment,
        milestones.current_stage,
        opportunities.lost_reason,
        opportunities.competitor,
        case
            when stage_histories.opportunity_id is not null then 'field_history' else 'snapshot'
        end as stage_history_source,
        milestones.skipped_stages_count,
        coalesce(milestones.is_closed, false) as is_closed,
        coalesce(milestones.is_won, false) as is_won,
        coalesce(milestones.was_reopened, false) as was_reopened,
        coalesce(milestones.had_regression, false) as had_regression,
        coalesce(milestones.entered_at_later_stage, false) as entered_at_later_stage,
        contradicted_histories.opportunity_id is not null as is_history_contradicted,
        opportunities.created_at,
        milestones.accepted_at,
        milestones.closed_at
    from opportunities
    cross join as_of
    left join accounts on opportunities.account_id = accounts.account_id
    left join leads on opportunities.lead_id = leads.lead_id
    left join milestones on opportunities.opportunity_id = milestones.opportunity_id
    left join contract_csms on opportunities.opportunity_id = contract_csms.opportunity_id
    left join stage_histories on opportunities.opportunity_id = stage_histories.opportunity_id
    left join contradicted_histories on opportunities.opportunity_id = contradicted_histories.opportunity_id
    left join owners as creating_owner
        on
            opportunities.opportunity_id = creating_owner.opportunity_id
            and opportunities.created_at >= creating_owner.valid_from
            and (opportunities.created_at < creating_owner.valid_to or creating_owner.valid_to is null)
    left join owners as accepting_owner
        on
            opportunities.opportunity_id = accepting_owner.opportunity_id
            and milestones.accepted_at >= accepting_owner.valid_from
            and (milestones.accepted_at < accepting_owner.valid_to or accepting_owner.valid_to is null)
    left join owners as closing_owner
        on
            opportunities.opportunity_id = closing_owner.opportunity_id
            and milestones.closed_at >= closing_owner.valid_from
            and (milestones.closed_at < closing_owner.valid_to or closing_owner.valid_to is null)
    where opportunities.created_at <= as_of.as_of_at
)

select * from final
