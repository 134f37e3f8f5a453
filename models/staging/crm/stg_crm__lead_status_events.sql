-- event_order is the order of a lead's status changes, decided here once for
-- every model downstream: by time, then, for changes saved in the same second,
-- by the from -> to chain, then the change that ends in the lead's current
-- status goes last, then by the event id and values: never by the row's
-- position in the file, so every run and target agrees.
with events as (
    select * from {{ crm_ref('lead_status_events') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

-- the source's own order is used only to tell two rows apart
{{ chain_depths('chain', 'events', ['lead_id', 'changed_at'], 'event_order', 'from_status', 'to_status') }}

ordered as (
    select
        events.lead_id,
        events.from_status,
        events.to_status,
        events.changed_at,
        row_number() over (
            partition by events.lead_id
            order by
                events.changed_at,
                coalesce(chain.chain_depth, 0),
                case when events.to_status = leads.status then 1 else 0 end,
                coalesce(events.event_id, ''),
                coalesce(events.from_status, ''),
                coalesce(events.to_status, '')
        ) as event_order
    from events
    left join chain
        on
            events.lead_id = chain.lead_id
            and events.changed_at = chain.changed_at
            and events.event_order = chain.event_order
    left join leads on events.lead_id = leads.lead_id
),

final as (
    select
        {{ surrogate_key(['lead_id', 'changed_at', 'event_order']) }} as lead_status_event_id,
        lead_id,
        from_status,
        to_status,
        event_order,
        changed_at
    from ordered
)

select * from final
