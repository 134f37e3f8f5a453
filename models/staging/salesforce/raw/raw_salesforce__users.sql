-- Users in the generic layout. Salesforce has no termination date: an inactive
-- user left when the record was last modified. Owners named on records but
-- missing from the user file (or with no user file at all) are listed too,
-- from the first record they appear on, so nothing points at a user nobody knows.
-- A user row without a created date (a connector's user table) is dated the
-- same way.
with users as (
    select * from {{ ref('sf_user') }}
),

owners_on_records as (
    select
        owner_id,
        coalesce(created_date, last_modified_date) as created_date
    from {{ ref('sf_lead') }}
    union all
    select
        owner_id,
        created_date
    from {{ ref('sf_opportunity') }}
    union all
    select
        owner_id,
        coalesce(created_date, _fivetran_start) as created_date
    from {{ ref('sf_opportunity_versions') }}
    union all
    select
        owner_id,
        created_date
    from {{ ref('sf_task') }}
    union all
    select
        owner_id,
        created_date
    from {{ ref('sf_event') }}
    union all
    select
        owner_id,
        start_date as created_date
    from {{ ref('sf_contract') }}
),

owners_first_seen as (
    select
        {{ sf_id('owner_id') }} as user_id,
        min({{ parse_timestamp('created_date') }}) as first_seen_at
    from owners_on_records
    where {{ sf_id('owner_id') }} is not null
    group by 1
),

unknown_owners as (
    select *
    from owners_first_seen
    where
        user_id not in (
            select {{ sf_id('id') }} from users
            where {{ sf_id('id') }} is not null
        )
),

translated as (
    select
        {{ sf_id('users.id') }} as user_id,
        -- Name is a compound field some exports leave out: then first and last name
        coalesce(
            nullif(trim(users.name), ''),
            nullif(trim(coalesce(users.first_name, '') || ' ' || coalesce(users.last_name, '')), '')
        ) as full_name,
        users.email,
        {{ sf_id('users.manager_id') }} as manager_id,
        -- a connector's user table may have no created date: the first record they own
        coalesce(users.created_date, cast(owners_first_seen.first_seen_at as {{ dbt.type_string() }})) as hired_at,
        case
            when {{ parse_boolean('users.is_active') }} = false
                then coalesce(users.last_modified_date, users._fivetran_synced)
        end as terminated_at,
        coalesce(users.last_modified_date, users._fivetran_synced) as modified_at,
        users._fivetran_deleted as is_deleted,
        users._source_row,
        users._source_file
    from users
    left join owners_first_seen
        on {{ sf_id('users.id') }} = owners_first_seen.user_id

    union all

    select
        user_id,
        cast(null as {{ dbt.type_string() }}) as full_name,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as manager_id,
        cast(first_seen_at as {{ dbt.type_string() }}) as hired_at,
        cast(null as {{ dbt.type_string() }}) as terminated_at,
        cast(first_seen_at as {{ dbt.type_string() }}) as modified_at,
        cast(null as {{ dbt.type_string() }}) as is_deleted,
        row_number() over (order by user_id) as _source_row,
        'owner ids seen on records' as _source_file
    from unknown_owners
)

select * from translated
