-- One row per canonical stage and entity type: its order in the funnel, the
-- role that owns it, and whether it is a won or lost outcome
-- (from seeds/stage_mapping.csv, whatever the source system). The entry stage
-- is the first open stage of the entity type (an opportunity's hand-off); the
-- sales stages are the open stages from there up to the first won stage.
with mapping as (
    select * from {{ ref('stage_mapping') }}
),

stages as (
    select
        entity_type,
        canonical_stage as stage,
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
        min(case when is_won then stage_order end) as first_won_stage_order
    from stages
    group by entity_type
),

final as (
    select
        stages.entity_type,
        stages.stage,
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
        ) as is_sales_stage
    from stages
    inner join bounds on stages.entity_type = bounds.entity_type
)

select * from final
