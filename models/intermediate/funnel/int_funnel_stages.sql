-- One row per stage and entity type: its order in the funnel, the role that
-- owns it, whether it is a won or lost outcome, and the fixed milestone it
-- stands for (from seeds/stage_mapping.csv, whatever the source system). The
-- working stages between the milestones are the company's own. The entry stage
-- is the first open stage of the entity type (an opportunity's hand-off); the
-- sales stages are the open stages from there up to the first won stage. A deal
-- is accepted once it reaches the accepted milestone or any later sales or won
-- stage (without an accepted milestone: the first stage after the entry stage).
with mapping as (
    select * from {{ ref('stage_mapping') }}
    -- the rows of this build's export format: another format's stages are not this company's
    where source_system = '{{ var("crm_source") }}'
),

stages as (
    select
        entity_type,
        canonical_stage as stage,
        min(milestone) as milestone,
        min(owning_role) as owning_role,
        min(stage_order) as stage_order,
        max(case when is_won then 1 else 0 end) = 1 as is_won,
        max(case when is_lost then 1 else 0 end) = 1 as is_lost
    from mapping
    group by entity_type, canonical_stage
),

bounds as (
    select
        entity_type,
        min(case when not is_won and not is_lost then stage_order end) as entry_stage_order,
        min(case when is_won then stage_order end) as first_won_stage_order,
        min(case when milestone = 'accepted' then stage_order end) as accepted_stage_order
    from stages
    group by entity_type
),

-- the accepted milestone's order, else the first open stage after the entry stage
acceptance as (
    select
        bounds.entity_type,
        coalesce(
            bounds.accepted_stage_order,
            min(case when not stages.is_won and not stages.is_lost then stages.stage_order end)
        ) as accepted_stage_order
    from bounds
    left join stages
        on
            bounds.entity_type = stages.entity_type
            and bounds.entry_stage_order < stages.stage_order
    group by bounds.entity_type, bounds.accepted_stage_order
),

final as (
    select
        stages.entity_type,
        stages.stage,
        stages.milestone,
        stages.owning_role,
        stages.stage_order,
        stages.is_won,
        stages.is_lost,
        coalesce(stages.stage_order = bounds.entry_stage_order, false) as is_entry_stage,
        coalesce(
            not stages.is_won
            and not stages.is_lost
            and stages.stage_order < coalesce(bounds.first_won_stage_order, stages.stage_order + 1),
            false
        ) as is_sales_stage,
        coalesce(
            not stages.is_lost
            and stages.stage_order >= acceptance.accepted_stage_order
            and stages.stage_order <= bounds.first_won_stage_order,
            false
        ) as is_accepted_or_later
    from stages
    inner join bounds on stages.entity_type = bounds.entity_type
    inner join acceptance on stages.entity_type = acceptance.entity_type
)

select * from final
