-- One row per stage visit of an opportunity or lead (stages passed at creation
-- and skipped on a forward move included, with zero time), with the deal's type,
-- segment and lead channel, and whether the visit ended by moving forward.
-- pipeline_id is the deal's sales process (leads: the default pipeline).
with intervals as (
    select * from {{ ref('int_stage_intervals_reconstructed') }}
    where entity_type in ('opportunity', 'lead')
),

stages as (
    select * from {{ ref('int_funnel_stages') }}
),

opportunities as (
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
        intervals.pipeline_id,
        coalesce(opportunities.opportunity_type, 'lead') as pipeline_type,
        coalesce(opportunities.segment, leads.segment, 'unknown') as segment,
        coalesce(opportunities.channel, leads.channel, 'unknown') as channel,
        intervals.stage,
        intervals.next_stage,
        intervals.visit_number,
        intervals.stage_order,
        intervals.days_in_stage,
        coalesce(next_stages.stage_order > intervals.stage_order and not next_stages.is_lost, false)
            as is_advanced,
        coalesce(next_stages.is_lost, false) as is_lost,
        -- a finished visit of an open stage on the main path: what stage
        -- conversion counts (decided outcomes, so open visits never dilute it)
        (
            intervals.exited_at is not null
            and intervals.stage_order is not null
            and not intervals.is_won_stage
            and not intervals.is_lost_stage
        ) as is_conversion_exit,
        intervals.is_current,
        intervals.is_skipped,
        intervals.is_passed_at_creation,
        intervals.is_regression,
        intervals.is_reopened,
        intervals.is_won_stage,
        intervals.is_lost_stage,
        coalesce(stages.is_sales_stage, false) as is_sales_stage,
        intervals.entered_at,
        intervals.exited_at
    from intervals
    left join stages
        on
            intervals.entity_type = stages.entity_type
            and intervals.pipeline_id = stages.pipeline_id
            and intervals.stage = stages.stage
    left join stages as next_stages
        on
            intervals.entity_type = next_stages.entity_type
            and intervals.pipeline_id = next_stages.pipeline_id
            and intervals.next_stage = next_stages.stage
    left join opportunities
        on intervals.entity_type = 'opportunity' and intervals.entity_id = opportunities.opportunity_id
    left join leads
        on intervals.entity_type = 'lead' and intervals.entity_id = leads.lead_id
)

select * from final
