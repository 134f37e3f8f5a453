-- One role per user: Salesforce keeps the current role (UserRoleId), not its
-- history, so a transfer shows as the new role since the user was created.
with users as (
    select * from {{ ref('sf_user') }}
),

roles as (
    select * from {{ ref('sf_user_role') }}
),

translated as (
    select
        {{ sf_id('users.id') }} as user_id,
        roles.name as role_label,
        users.department as team,
        users.created_date as valid_from,
        case
            when {{ parse_boolean('users.is_active') }} = false
                then coalesce(users.last_modified_date, users._fivetran_synced)
        end as valid_to,
        coalesce(users._fivetran_deleted, roles._fivetran_deleted) as is_deleted,
        users._source_row,
        users._source_file
    from users
    left join roles
        on {{ sf_id('roles.id') }} = {{ sf_id('users.user_role_id') }}
    where {{ sf_id('users.user_role_id') }} is not null
)

select * from translated
