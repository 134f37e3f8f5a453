-- One row per entity per stage visit, in order: when it entered, when it left
-- (null while current), where it went next and how long it stayed.
--   is_regression  the visit was entered by moving back to an earlier stage
--   is_reopened    the visit was entered from a closed (won or lost) stage
--   is_skipped     a stage of the funnel the entity jumped over on a forward
--                  move: listed with zero time so conversion from it counts right.
--   is_passed_at_creation  a sales stage before the stage an opportunity was
--                  created in: a deal created at a later stage passed every
--                  earlier milestone at its creation (listed with zero time, as
--                  skipped; created lost, it passed only the entry stage).
-- Ties are broken by event_order. Stages are those of the entity's pipeline.
with events as (
    select * from {{ ref('int_stage_events_unioned') }}
),

stages as (
    select * from {{ ref('int_funnel_stages') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

sequenced as (
    select
        events.*,
        lag(events.stage) over (
            partition by events.entity_type, events.entity_id order by events.event_at, events.event_order
        ) as previous_event_stage
    from events
),

-- a repeated event for the stage the entity is already in is not a new visit
stage_changes as (
    select *
    from sequenced
    where previous_event_stage is null or previous_event_stage != stage
),

visits as (
    select
        entity_type,
        entity_id,
        pipeline_id,
        stage,
        stage_order,
        is_won_stage,
        is_lost_stage,
        event_at as entered_at,
        event_order,
        lead(event_at) over entity_window as exited_at,
        lead(stage) over entity_window as next_stage,
        lag(stage) over entity_window as previous_stage,
        lag(stage_order) over entity_window as previous_stage_order,
        lag(case when is_won_stage or is_lost_stage then 1 else 0 end) over entity_window = 1
            as previous_is_closed
    from stage_changes
    window entity_window as (partition by entity_type, entity_id order by event_at, event_order)
),

-- stages of the funnel between two stages of a forward move (not into a loss)
skipped as (
    select
        visits.entity_type,
        visits.entity_id,
        visits.pipeline_id,
        stages.stage,
        stages.stage_order,
        stages.is_won as is_won_stage,
        stages.is_lost as is_lost_stage,
        visits.entered_at,
        visits.event_order,
        visits.entered_at as exited_at,
        cast(null as {{ dbt.type_string() }}) as next_stage,
        visits.previous_stage,
        visits.previous_stage_order,
        false as previous_is_closed,
        true as is_skipped,
        false as is_passed_at_creation
    from visits
    inner join stages
        on
            visits.entity_type = stages.entity_type
            and visits.pipeline_id = stages.pipeline_id
            and visits.previous_stage_order < stages.stage_order
            and visits.stage_order > stages.stage_order
            and not stages.is_lost
            and not stages.is_won
    where
        not visits.is_lost_stage
        and not visits.previous_is_closed
),

first_won_orders as (
    select
        pipeline_id,
        entity_type,
        min(stage_order) as first_won_stage_order
    from stages
    where is_won
    group by pipeline_id, entity_type
),

-- an opportunity's first visit at a later stage than the entry stage, up to
-- the decision (a renewal created at renewal_due passed no sales stage)
passed_at_creation as (
    select
        visits.entity_type,
        visits.entity_id,
        visits.pipeline_id,
        stages.stage,
        stages.stage_order,
        stages.is_won as is_won_stage,
        stages.is_lost as is_lost_stage,
        visits.entered_at,
        visits.event_order,
        visits.entered_at as exited_at,
        cast(null as {{ dbt.type_string() }}) as next_stage,
        cast(null as {{ dbt.type_string() }}) as previous_stage,
        cast(null as {{ dbt.type_int() }}) as previous_stage_order,
        false as previous_is_closed,
        true as is_skipped,
        true as is_passed_at_creation
    from visits
    inner join first_won_orders
        on visits.entity_type = first_won_orders.entity_type and visits.pipeline_id = first_won_orders.pipeline_id
    inner join stages
        on
            visits.entity_type = stages.entity_type
            and visits.pipeline_id = stages.pipeline_id
            and stages.is_sales_stage
            and visits.stage_order > stages.stage_order
    where
        visits.entity_type = 'opportunity'
        and visits.previous_stage is null
        and visits.stage_order <= first_won_orders.first_won_stage_order
        and (stages.is_entry_stage or not visits.is_lost_stage)
),

all_visits as (
    select
        visits.*,
        false as is_skipped,
        false as is_passed_at_creation
    from visits
    union all
    select * from skipped
    union all
    select * from passed_at_creation
),

-- the visit order is strict (skipped stages differ in stage_order), so the next
-- visit's stage comes from the same window: one sort instead of two
numbered as (
    select
        all_visits.*,
        row_number() over visit_window as visit_number,
        lead(all_visits.stage) over visit_window as next_visit_stage
    from all_visits
    window visit_window as (
        partition by all_visits.entity_type, all_visits.entity_id
        order by
            all_visits.entered_at asc,
            all_visits.event_order asc,
            all_visits.is_skipped desc,
            all_visits.stage_order asc
    )
),

final as (
    select
        {{ surrogate_key(['numbered.entity_type', 'numbered.entity_id', 'numbered.visit_number']) }}
            as stage_visit_id,
        numbered.entity_type,
        numbered.entity_id,
        numbered.pipeline_id,
        numbered.stage,
        coalesce(numbered.next_stage, numbered.next_visit_stage) as next_stage,
        numbered.visit_number,
        numbered.stage_order,
        {{ dbt.datediff('numbered.entered_at', 'coalesce(numbered.exited_at, as_of.as_of_at)', 'second') }}
        / cast(86400 as {{ type_double() }}) as days_in_stage,
        numbered.exited_at is null as is_current,
        coalesce(
            not numbered.is_skipped
            and not numbered.previous_is_closed
            and numbered.stage_order < numbered.previous_stage_order,
            false
        ) as is_regression,
        coalesce(not numbered.is_skipped and numbered.previous_is_closed, false) as is_reopened,
        numbered.is_skipped,
        numbered.is_passed_at_creation,
        numbered.is_won_stage,
        numbered.is_lost_stage,
        numbered.entered_at,
        numbered.exited_at
    from numbered
    cross join as_of
)

select * from final
