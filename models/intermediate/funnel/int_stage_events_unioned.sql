{{ after_quarantine_gate() }}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key=['entity_type', 'entity_id'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where event_at > {{ as_of_at() }}{% endif %}",
) }}
-- One row per stage (or lead status) an entity entered, from whatever history
-- the CRM keeps: opportunity field history, lead status history, daily
-- snapshots of the opportunities for a CRM with no field history, the lead
-- record itself for leads with no status history, and customer contracts
-- (active from their start, renewed or churned at their end). Events after the
-- as-of moment are left out. event_order breaks ties between equal timestamps.
-- An opportunity's events are in its (current) pipeline and take their stage
-- order from that pipeline's stages; leads and contracts are in the default one.
-- Incremental, per entity: a run replaces every event of each entity with a
-- source row since the latest event already built, less
-- var('stage_events_lookback_days') (history that arrives a few days late is
-- picked up; the pre-hook drops events after an as-of moment that moved back).
-- Older corrections, removed rows and mapping changes need --full-refresh.
with opportunity_changes as (
    select * from {{ ref('stg_crm__opportunity_changes') }}
),

lead_events as (
    select * from {{ ref('stg_crm__lead_status_events') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

stages as (
    select * from {{ ref('int_funnel_stages') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

contracts as (
    select * from {{ ref('stg_crm__contracts') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

opportunity_pipelines as (
    select
        opportunity_id,
        pipeline_id
    from opportunities
),

opportunity_stage_events as (
    select
        'opportunity' as entity_type,
        opportunity_id as entity_id,
        new_value as stage,
        'field_history' as event_source,
        change_order as event_order,
        changed_at as event_at
    from opportunity_changes
    where field = 'stage'
),

-- the record's own stage is the newer truth: a deal whose field history ends
-- in another stage, with nothing of it or the record after the as-of moment,
-- gets its record's stage as a last event (event_source 'record'; flagged
-- is_history_contradicted on fct_opportunities, warned by a test). Dated when
-- the history ends, or a closed deal at its close date if that is later.
last_history_events as (
    select
        entity_id,
        stage,
        event_order,
        event_at,
        row_number() over (partition by entity_id order by event_at desc, event_order desc) as recency
    from opportunity_stage_events
),

record_events as (
    select
        'opportunity' as entity_type,
        opportunities.opportunity_id as entity_id,
        opportunities.stage,
        'record' as event_source,
        last_history_events.event_order + 1 as event_order,
        case
            when opportunities.is_closed and opportunities.close_date is not null
                then least(
                    greatest(
                        last_history_events.event_at,
                        cast(opportunities.close_date as {{ dbt.type_timestamp() }})
                    ),
                    as_of.as_of_at
                )
            else last_history_events.event_at
        end as event_at
    from last_history_events
    inner join opportunities on last_history_events.entity_id = opportunities.opportunity_id
    cross join as_of
    where
        last_history_events.recency = 1
        and last_history_events.stage != opportunities.stage
        and last_history_events.event_at <= as_of.as_of_at
        and opportunities.modified_at <= as_of.as_of_at
),

-- without field history, the stages come from the daily snapshots: each
-- version's stage from the time it was modified. The first version is the
-- path creation -> current stage: created at the funnel's entry stage, then in
-- its stage from creation, or, when it is already closed, from its close date
-- (never before creation), as the CRM's own reports date a decided deal.
versions_numbered as (
    select
        versions.opportunity_id,
        versions.stage,
        versions.created_at,
        versions.close_date,
        versions.dbt_valid_from,
        coalesce(opportunity_pipelines.pipeline_id, '{{ default_pipeline_id() }}') as pipeline_id,
        row_number() over (
            partition by versions.opportunity_id order by versions.dbt_valid_from
        ) as version_number
    from {{ opportunity_versions() }} as versions
    left join opportunity_pipelines on versions.opportunity_id = opportunity_pipelines.opportunity_id
    where not exists (
        select 1
        from opportunity_stage_events
        where opportunity_stage_events.entity_id = versions.opportunity_id
    )
),

opportunities_without_history as (
    select
        'opportunity' as entity_type,
        versions_numbered.opportunity_id as entity_id,
        versions_numbered.stage,
        'snapshot' as event_source,
        versions_numbered.version_number as event_order,
        case
            when versions_numbered.version_number > 1 then versions_numbered.dbt_valid_from
            when version_stages.is_won or version_stages.is_lost
                then greatest(
                    versions_numbered.created_at,
                    cast(versions_numbered.close_date as {{ dbt.type_timestamp() }})
                )
            else versions_numbered.created_at
        end as event_at
    from versions_numbered
    left join stages as version_stages
        on
            version_stages.entity_type = 'opportunity'
            and versions_numbered.pipeline_id = version_stages.pipeline_id
            and versions_numbered.stage = version_stages.stage

    union all

    -- a first version already closed was created at the entry stage before that
    select
        'opportunity' as entity_type,
        versions_numbered.opportunity_id as entity_id,
        entry_stage.stage,
        'snapshot' as event_source,
        0 as event_order,
        versions_numbered.created_at as event_at
    from versions_numbered
    inner join stages as version_stages
        on
            version_stages.entity_type = 'opportunity'
            and versions_numbered.pipeline_id = version_stages.pipeline_id
            and versions_numbered.stage = version_stages.stage
    inner join stages as entry_stage
        on
            entry_stage.entity_type = 'opportunity'
            and versions_numbered.pipeline_id = entry_stage.pipeline_id
            and entry_stage.is_entry_stage
    where
        versions_numbered.version_number = 1
        and (version_stages.is_won or version_stages.is_lost)
),

lead_status_events as (
    select
        'lead' as entity_type,
        lead_id as entity_id,
        to_status as stage,
        'status_history' as event_source,
        event_order,
        changed_at as event_at
    from lead_events
),

leads_without_history as (
    select
        'lead' as entity_type,
        leads.lead_id as entity_id,
        leads.status as stage,
        'record' as event_source,
        0 as event_order,
        leads.created_at as event_at
    from leads
    where not exists (
        select 1
        from lead_status_events
        where lead_status_events.entity_id = leads.lead_id
    )
),

contract_events as (
    select
        'contract' as entity_type,
        contract_id as entity_id,
        'contract_active' as stage,
        'contract' as event_source,
        1 as event_order,
        cast(start_date as {{ dbt.type_timestamp() }}) as event_at
    from contracts

    union all

    select
        'contract' as entity_type,
        contract_id as entity_id,
        status as stage,
        'contract' as event_source,
        2 as event_order,
        -- the day after the last day of the term
        cast({{ dbt.dateadd('day', 1, 'end_date') }} as {{ dbt.type_timestamp() }}) as event_at
    from contracts
    where status in ('renewed', 'churned')
),

{%- if is_incremental() %}

window_start as (
    select
        {{ dbt.dateadd('day', -var('stage_events_lookback_days'),
            "coalesce(max(event_at), cast('1900-01-01' as " ~ dbt.type_timestamp() ~ "))") }} as start_at
    from {{ this }}
),

-- entities with a source row in the window; every lead without status history
-- and every contract (a status can change long after the dates of its events)
touched as (
    select
        'opportunity' as entity_type,
        opportunity_changes.opportunity_id as entity_id
    from opportunity_changes
    inner join window_start on opportunity_changes.changed_at >= window_start.start_at
    union
    select
        'opportunity' as entity_type,
        versions.opportunity_id as entity_id
    from {{ ref('opportunities_snapshot') }} as versions
    inner join window_start
        on versions.dbt_valid_from >= window_start.start_at or versions.created_at >= window_start.start_at
    union
    -- a record's stage can change without a history row (record_events)
    select
        'opportunity' as entity_type,
        opportunities.opportunity_id as entity_id
    from opportunities
    inner join window_start on opportunities.modified_at >= window_start.start_at
    union
    select
        'lead' as entity_type,
        lead_events.lead_id as entity_id
    from lead_events
    inner join window_start on lead_events.changed_at >= window_start.start_at
    union
    -- a lead with no status history has no date for a change of its status
    select
        entity_type,
        entity_id
    from leads_without_history
    union
    select
        'contract' as entity_type,
        contract_id as entity_id
    from contracts
),
{%- endif %}

unioned as (
    select * from opportunity_stage_events
    union all
    select * from record_events
    union all
    select * from contract_events
    union all
    select * from opportunities_without_history
    union all
    select * from lead_status_events
    union all
    select * from leads_without_history
),

pipelined as (
    select
        unioned.*,
        coalesce(opportunity_pipelines.pipeline_id, '{{ default_pipeline_id() }}') as pipeline_id
    from unioned
    left join opportunity_pipelines
        on unioned.entity_type = 'opportunity' and unioned.entity_id = opportunity_pipelines.opportunity_id
),

final as (
    select
        unioned.entity_type,
        unioned.entity_id,
        unioned.pipeline_id,
        unioned.stage,
        unioned.event_source,
        stages.stage_order,
        unioned.event_order,
        coalesce(stages.is_won, false) as is_won_stage,
        coalesce(stages.is_lost, false) as is_lost_stage,
        unioned.event_at
    from pipelined as unioned
    left join stages
        on
            unioned.entity_type = stages.entity_type
            and unioned.pipeline_id = stages.pipeline_id
            and unioned.stage = stages.stage
    cross join as_of
    {%- if is_incremental() %}
    inner join touched
        on
            unioned.entity_type = touched.entity_type
            and unioned.entity_id = touched.entity_id
    {%- endif %}
    where unioned.event_at <= as_of.as_of_at
)

select * from final
