-- One row per canonical stage and entity type: its order in the funnel, the
-- role that owns it, and whether it is a won or lost outcome
-- (from seeds/stage_mapping.csv, whatever the source system).
with mapping as (
    select * from {{ ref('stage_mapping') }}
),

final as (
    select
        entity_type,
        canonical_stage as stage,
        min(owning_role) as owning_role,
        min(stage_order) as stage_order,
        max(case when is_won then 1 else 0 end) = 1 as is_won,
        max(case when is_lost then 1 else 0 end) = 1 as is_lost
    from mapping
    group by entity_type, canonical_stage
)

select * from final
