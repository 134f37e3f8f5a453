with staged as (
    select
        change_id,
        opportunity_id,
        changed_by_id,
        field,
        old_value,
        new_value,
        changed_at,
        _source_row as change_order
    from {{ ref('base_generic__opportunity_changes') }}
    where row_status = 'staged'
)

select * from staged
