with staged as (
    select
        activity_id,
        owner_id,
        lead_id,
        opportunity_id,
        account_id,
        activity_type,
        outcome,
        duration_seconds,
        occurred_at
    from {{ ref('base_generic__activities') }}
    where row_status = 'staged'
)

select * from staged
