with users as (
    select * from {{ crm_ref('users') }}
),

final as (
    select
        user_id,
        full_name,
        manager_id,
        terminated_at is null as is_active,
        hired_at,
        terminated_at
    from users
)

select * from final
