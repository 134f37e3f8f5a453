with users as (
    select * from {{ crm_ref('users') }}
),

-- a manager id that is not a staged user (not in users.csv, or quarantined
-- there) is no reason to distrust the person: the manager is left empty and
-- flagged, since no KPI reads it
managers as (
    select user_id from users
),

final as (
    select
        users.user_id,
        users.full_name,
        managers.user_id as manager_id,
        users.terminated_at is null as is_active,
        users.manager_id is not null and managers.user_id is null as is_manager_unknown,
        users.hired_at,
        users.terminated_at
    from users
    left join managers on users.manager_id = managers.user_id
)

select * from final
