-- The users of the export and, flagged is_inferred, the people the records name
-- as owner (lead, deal, deal creator, activity, campaign, CSM of a contract,
-- quota holder) whom the users export lacks: a missing user is no reason to
-- distrust their records, and per-person marts need them. An inferred user is
-- hired at the first record they own and has no name, manager or departure.
with users as (
    select * from {{ crm_ref('users') }}
),

-- a manager id that is not a user of the export (not in it, or quarantined
-- there) is no reason to distrust the person: the manager is left empty and
-- flagged, since no KPI reads it
managers as (
    select user_id from users
),

owned_records as (
    select
        owner_id as user_id,
        created_at as owned_at
    from {{ ref('stg_crm__leads') }}
    union all
    select
        owner_id as user_id,
        created_at as owned_at
    from {{ ref('stg_crm__opportunities') }}
    union all
    select
        created_by_id as user_id,
        created_at as owned_at
    from {{ ref('stg_crm__opportunities') }}
    union all
    select
        owner_id as user_id,
        occurred_at as owned_at
    from {{ ref('stg_crm__activities') }}
    union all
    select
        owner_id as user_id,
        cast(start_date as {{ dbt.type_timestamp() }}) as owned_at
    from {{ ref('stg_crm__campaigns') }}
    union all
    select
        csm_id as user_id,
        cast(start_date as {{ dbt.type_timestamp() }}) as owned_at
    from {{ ref('stg_crm__contracts') }}
    union all
    select
        user_id,
        cast(quarter_start_date as {{ dbt.type_timestamp() }}) as owned_at
    from {{ ref('stg_crm__quotas') }}
),

inferred_users as (
    select
        owned_records.user_id,
        min(owned_records.owned_at) as hired_at
    from owned_records
    left join users on owned_records.user_id = users.user_id
    where owned_records.user_id is not null and users.user_id is null
    group by owned_records.user_id
),

exported as (
    select
        users.user_id,
        users.full_name,
        managers.user_id as manager_id,
        users.terminated_at is null as is_active,
        false as is_inferred,
        users.manager_id is not null and managers.user_id is null as is_manager_unknown,
        users.hired_at,
        users.terminated_at
    from users
    left join managers on users.manager_id = managers.user_id
),

inferred as (
    select
        user_id,
        cast(null as {{ dbt.type_string() }}) as full_name,
        cast(null as {{ dbt.type_string() }}) as manager_id,
        true as is_active,
        true as is_inferred,
        false as is_manager_unknown,
        hired_at,
        cast(null as {{ dbt.type_timestamp() }}) as terminated_at
    from inferred_users
),

final as (
    select * from exported
    union all
    select * from inferred
)

select * from final
