with staged as (
    select
        event_id,
        lead_id,
        from_status,
        to_status,
        changed_at,
        _source_row as event_order
    from {{ ref('base_generic__lead_status_events') }}
    where row_status = 'staged'
)

select * from staged
