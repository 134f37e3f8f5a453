with staged as (
    select
        user_id,
        role,
        role_label,
        team,
        valid_from,
        valid_to
    from {{ ref('base_generic__user_roles') }}
    where row_status = 'staged'
)

select * from staged
