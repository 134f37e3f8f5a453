with events as (
    select * from {{ crm_ref('lead_status_events') }}
),

final as (
    select
        {{ surrogate_key(['lead_id', 'changed_at', 'event_order']) }} as lead_status_event_id,
        lead_id,
        from_status,
        to_status,
        event_order,
        changed_at
    from events
)

select * from final
