with staged as (
    select
        user_id,
        full_name,
        email_hash,
        manager_id,
        hired_at,
        terminated_at,
        modified_at
    from {{ ref('base_generic__users') }}
    where row_status = 'staged'
)

select * from staged
