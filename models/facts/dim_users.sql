-- One row per user (of the export, or inferred from the records that name them:
-- is_inferred): name, manager, employment dates and the role held at the
-- as-of moment (or last held), mapped from the role export or inferred from
-- what they did (int_user_roles_resolved). Employees' names are not customer personal data;
-- BI tools show them instead of ids. Role history: int_user_role_months.
{{ after_quarantine_gate() }}
with users as (
    select * from {{ ref('stg_crm__users') }}
),

roles as (
    select * from {{ ref('int_user_roles_resolved') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- the latest role assignment that started by the as-of moment
latest_roles as (
    select
        roles.user_id,
        roles.role,
        roles.role_source,
        roles.team,
        row_number() over (
            partition by roles.user_id order by roles.valid_from desc, roles.role asc
        ) as recency
    from roles
    cross join as_of
    where roles.valid_from <= as_of.as_of_at
),

final as (
    select
        users.user_id,
        users.manager_id,
        users.full_name,
        coalesce(latest_roles.role, 'unknown') as latest_role,
        latest_roles.team as latest_team,
        latest_roles.role_source,
        users.is_active,
        users.is_inferred,
        users.is_manager_unknown,
        users.hired_at,
        users.terminated_at
    from users
    left join latest_roles on users.user_id = latest_roles.user_id and latest_roles.recency = 1
)

select * from final
