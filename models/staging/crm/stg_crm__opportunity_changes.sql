-- change_order is the order of a deal's changes, decided here once for every
-- model downstream: by time, then, for changes saved in the same second, by the
-- old -> new chain (Proposal -> Negotiation before Negotiation -> Closed Won),
-- then the change that ends where the record is now goes last (its stage, else
-- its won / lost / open state), then by the change id (Salesforce ids grow
-- with time) and values: never by the row's position in the file, so every run
-- and target agrees.
with changes as (
    select * from {{ crm_ref('opportunity_changes') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

-- whether each canonical stage wins or loses a deal (the same in every pipeline)
stage_outcomes as (
    select
        canonical_stage as stage,
        max(case when is_won then 1 else 0 end) = 1 as is_won,
        max(case when is_lost then 1 else 0 end) = 1 as is_lost
    from {{ ref('stage_mapping') }}
    where entity_type = 'opportunity' and source_system = '{{ var("crm_source") }}'
    group by canonical_stage
),

-- the source's own order is used only to tell two rows apart
{{ chain_depths(
    'chain', 'changes', ['opportunity_id', 'field', 'changed_at'], 'change_order', 'old_value', 'new_value'
) }}

ordered as (
    select
        changes.opportunity_id,
        changes.changed_by_id,
        changes.field,
        changes.old_value,
        changes.new_value,
        changes.changed_at,
        row_number() over (
            partition by changes.opportunity_id
            order by
                changes.changed_at,
                changes.field,
                coalesce(chain.chain_depth, 0),
                case
                    when changes.field != 'stage' then 0
                    when changes.new_value = opportunities.stage then 2
                    -- another stage with the record's outcome: won, lost or still open
                    when
                        coalesce(stage_outcomes.is_won, false) = coalesce(opportunities.is_won, false)
                        and coalesce(stage_outcomes.is_won or stage_outcomes.is_lost, false)
                        = coalesce(opportunities.is_closed, false)
                        then 1
                    else 0
                end,
                coalesce(changes.change_id, ''),
                coalesce(changes.old_value, ''),
                coalesce(changes.new_value, '')
        ) as change_order
    from changes
    left join chain
        on
            changes.opportunity_id = chain.opportunity_id
            and changes.field = chain.field
            and changes.changed_at = chain.changed_at
            and changes.change_order = chain.change_order
    left join opportunities on changes.opportunity_id = opportunities.opportunity_id
    left join stage_outcomes on changes.field = 'stage' and changes.new_value = stage_outcomes.stage
),

final as (
    select
        {{ surrogate_key(['opportunity_id', 'field', 'changed_at', 'change_order']) }} as opportunity_change_id,
        opportunity_id,
        changed_by_id,
        field,
        old_value,
        new_value,
        change_order,
        changed_at
    from ordered
)

select * from final
