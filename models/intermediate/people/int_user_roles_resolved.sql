-- One row per role assignment: every mapped one from the user-roles export
-- (role_source 'mapped'), and for each person with no mapped role assignment
-- at all (no role file, or only labels seeds/role_mapping.csv does not know)
-- one role inferred from what they did (role_source 'inferred'):
--   owns new-business deals             -> field_sales
--   created deals someone else owns     -> inside_sales
--   is the CSM of contracts             -> customer_success
-- The role with the most deals or contracts behind it wins (ties in that order).
-- A mapped role always wins: a person with one is never inferred. An inferred
-- role holds from the person's hire (when the users export knows them) or the
-- month of their first such deal or contract, and stays open: departure
-- (terminated_at) and the as-of moment end it in int_user_role_months.
-- Only what happened up to the as-of moment counts.
{{ after_quarantine_gate() }}
with mapped_roles as (
    select * from {{ ref('stg_crm__user_roles') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

contracts as (
    select * from {{ ref('stg_crm__contracts') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

evidence as (
    select
        owner_id as user_id,
        'field_sales' as inferred_role,
        1 as role_priority,
        created_at as evidence_at
    from opportunities
    where opportunity_type = 'new_business' and owner_id is not null
    union all
    select
        created_by_id as user_id,
        'inside_sales' as inferred_role,
        2 as role_priority,
        created_at as evidence_at
    from opportunities
    where created_by_id is not null and owner_id is not null and created_by_id != owner_id
    union all
    select
        csm_id as user_id,
        'customer_success' as inferred_role,
        3 as role_priority,
        cast(start_date as {{ dbt.type_timestamp() }}) as evidence_at
    from contracts
    where csm_id is not null
),

mapped_people as (
    select distinct user_id from mapped_roles
),

role_evidence as (
    select
        evidence.user_id,
        evidence.inferred_role,
        evidence.role_priority,
        count(*) as evidence_count,
        min(evidence.evidence_at) as first_evidence_at
    from evidence
    cross join as_of
    left join mapped_people on evidence.user_id = mapped_people.user_id
    where mapped_people.user_id is null and evidence.evidence_at <= as_of.as_of_at
    group by evidence.user_id, evidence.inferred_role, evidence.role_priority
),

ranked as (
    select
        role_evidence.*,
        row_number() over (
            partition by role_evidence.user_id
            order by role_evidence.evidence_count desc, role_evidence.role_priority asc
        ) as role_rank
    from role_evidence
),

inferred_roles as (
    select
        ranked.user_id,
        ranked.inferred_role as role,  -- noqa: RF04
        cast(null as {{ dbt.type_string() }}) as role_label,
        'inferred' as role_source,
        cast(null as {{ dbt.type_string() }}) as team,
        ranked.evidence_count,
        coalesce(
            users.hired_at,
            cast({{ dbt.date_trunc('month', 'ranked.first_evidence_at') }} as {{ dbt.type_timestamp() }})
        ) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to
    from ranked
    -- an inferred user's hire is only their first record: the role's own evidence decides
    left join users on ranked.user_id = users.user_id and not users.is_inferred
    where ranked.role_rank = 1
),

unioned as (
    select
        user_id,
        role,
        role_label,
        'mapped' as role_source,
        team,
        cast(null as {{ dbt.type_bigint() }}) as evidence_count,
        valid_from,
        valid_to
    from mapped_roles
    union all
    select
        user_id,
        role,
        role_label,
        role_source,
        team,
        evidence_count,
        valid_from,
        valid_to
    from inferred_roles
),

final as (
    select
        {{ surrogate_key(['user_id', 'role', 'valid_from']) }} as user_role_id,
        user_id,
        role,
        role_label,
        role_source,
        team,
        evidence_count,
        valid_from,
        valid_to
    from unioned
)

select * from final
