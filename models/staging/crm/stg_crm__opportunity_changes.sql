with changes as (
    select * from {{ crm_ref('opportunity_changes') }}
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
    from changes
)

select * from final
