-- One row per pipeline, stage and entity type: its order in the funnel, the
-- role that owns it, whether it is a won or lost outcome, and the fixed milestone
-- it stands for (from seeds/stage_mapping.csv, whatever the source system). The
-- working stages between the milestones are the company's own. The entry stage
-- is the first open stage of the entity type (an opportunity's hand-off); the
-- sales stages are the open stages from there up to the first won stage. A deal
-- is accepted once it reaches the accepted milestone or any later sales or won
-- stage (without an accepted milestone: the first stage after the entry stage).
-- Pipelines (sales processes): a pipeline's own rows (pipeline_id set) win over
-- the all-pipelines rows of the same stage; a pipeline with rows of its own
-- keeps of the all-pipelines rows only the fixed milestones it gives no stage of
-- its own, so another process's stages are never counted as skipped in its
-- deals. Leads and contracts are in no sales process: their stages are under
-- the default pipeline.
{{ after_quarantine_gate() }}
with mapping as (
    select
        entity_type,
        canonical_stage,
        stage_order,
        owning_role,
        is_won,
        is_lost,
        nullif(milestone, '') as milestone,
        {{ clean_pipeline_id('pipeline_id') }} as pipeline_id
    from {{ ref('stage_mapping') }}
    -- the rows of this build's export format: another format's stages are not this company's
    where source_system = '{{ var("crm_source") }}'
),

-- every pipeline a deal is in or the mapping names, and the default one
pipelines as (
    select '{{ default_pipeline_id() }}' as pipeline_id
    union
    select pipeline_id from mapping
    where pipeline_id is not null
    union
    select pipeline_id from {{ ref('stg_crm__opportunities') }}
),

own_stages as (
    select distinct
        pipeline_id,
        entity_type,
        canonical_stage
    from mapping
    where pipeline_id is not null
),

own_milestones as (
    select distinct
        pipeline_id,
        entity_type,
        milestone
    from mapping
    where pipeline_id is not null and milestone is not null
),

own_entity_types as (
    select distinct
        pipeline_id,
        entity_type
    from own_stages
),

pipeline_rows as (
    select * from mapping
    where pipeline_id is not null

    union all

    select
        shared.entity_type,
        shared.canonical_stage,
        shared.stage_order,
        shared.owning_role,
        shared.is_won,
        shared.is_lost,
        shared.milestone,
        pipelines.pipeline_id
    from pipelines
    cross join mapping as shared
    left join own_stages
        on
            pipelines.pipeline_id = own_stages.pipeline_id
            and shared.entity_type = own_stages.entity_type
            and shared.canonical_stage = own_stages.canonical_stage
    left join own_milestones
        on
            pipelines.pipeline_id = own_milestones.pipeline_id
            and shared.entity_type = own_milestones.entity_type
            and shared.milestone = own_milestones.milestone
    left join own_entity_types
        on
            pipelines.pipeline_id = own_entity_types.pipeline_id
            and shared.entity_type = own_entity_types.entity_type
    where
        shared.pipeline_id is null
        and own_stages.pipeline_id is null
        and (
            own_entity_types.pipeline_id is null
            or (shared.milestone is not null and own_milestones.pipeline_id is null)
        )
        -- leads and contracts are in no sales process
        and (shared.entity_type = 'opportunity' or pipelines.pipeline_id = '{{ default_pipeline_id() }}')
),

stages as (
    select
        pipeline_id,
        entity_type,
        canonical_stage as stage,
        min(milestone) as milestone,
        min(owning_role) as owning_role,
        min(stage_order) as stage_order,
        max(case when is_won then 1 else 0 end) = 1 as is_won,
        max(case when is_lost then 1 else 0 end) = 1 as is_lost
    from pipeline_rows
    group by pipeline_id, entity_type, canonical_stage
),

bounds as (
    select
        pipeline_id,
        entity_type,
        min(case when not is_won and not is_lost then stage_order end) as entry_stage_order,
        min(case when is_won then stage_order end) as first_won_stage_order,
        min(case when milestone = 'accepted' then stage_order end) as accepted_stage_order
    from stages
    group by pipeline_id, entity_type
),

-- the accepted milestone's order, else the first open stage after the entry stage
acceptance as (
    select
        bounds.pipeline_id,
        bounds.entity_type,
        coalesce(
            bounds.accepted_stage_order,
            min(case when not stages.is_won and not stages.is_lost then stages.stage_order end)
        ) as accepted_stage_order
    from bounds
    left join stages
        on
            bounds.pipeline_id = stages.pipeline_id
            and bounds.entity_type = stages.entity_type
            and bounds.entry_stage_order < stages.stage_order
    group by bounds.pipeline_id, bounds.entity_type, bounds.accepted_stage_order
),

final as (
    select
        stages.pipeline_id,
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
    inner join bounds
        on stages.pipeline_id = bounds.pipeline_id and stages.entity_type = bounds.entity_type
    inner join acceptance
        on stages.pipeline_id = acceptance.pipeline_id and stages.entity_type = acceptance.entity_type
)

select * from final
