with user_roles as (
    select * from {{ crm_ref('user_roles') }}
),

final as (
    select
        {{ surrogate_key(['user_id', 'role', 'valid_from']) }} as user_role_id,
        user_id,
        role,
        role_label,
        team,
        valid_from,
        valid_to
    from user_roles
)

select * from final
