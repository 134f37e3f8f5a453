-- One row per finished stage visit of a lead or opportunity on the main funnel
-- path: where it went and whether that was forward. Stage conversion is
-- computed from these exits (decided outcomes), so open visits never dilute it.
with intervals as (
    select * from {{ ref('int_stage_intervals_reconstructed') }}
),

stages as (
    select * from {{ ref('int_funnel_stages') }}
),

journeys as (
    select * from {{ ref('int_opportunity_journeys') }}
),

leads as (
    select * from {{ ref('int_lead_journeys') }}
),

final as (
    select
        intervals.stage_visit_id,
        intervals.entity_type,
        intervals.entity_id,
        coalesce(journeys.opportunity_type, 'lead') as pipeline_type,
        coalesce(journeys.segment, leads.segment, 'unknown') as segment,
        coalesce(opportunity_leads.channel, leads.channel, 'unknown') as channel,
        intervals.stage,
        intervals.next_stage,
        intervals.stage_order,
        intervals.days_in_stage,
        coalesce(next_stages.stage_order > intervals.stage_order and not next_stages.is_lost, false)
            as is_advanced,
        coalesce(next_stages.is_lost, false) as is_lost,
        intervals.entered_at,
        intervals.exited_at
    from intervals
    left join stages as next_stages
        on
            intervals.entity_type = next_stages.entity_type
            and intervals.next_stage = next_stages.stage
    left join journeys
        on intervals.entity_type = 'opportunity' and intervals.entity_id = journeys.opportunity_id
    left join leads as opportunity_leads on journeys.lead_id = opportunity_leads.lead_id
    left join leads
        on intervals.entity_type = 'lead' and intervals.entity_id = leads.lead_id
    where
        intervals.entity_type in ('lead', 'opportunity')
        and intervals.exited_at is not null
        and intervals.stage_order is not null
        and not intervals.is_won_stage
        and not intervals.is_lost_stage
)

select * from final
