-- One row per person × role × calendar month they held the role in: the share
-- of the month in the role (a mid-month transfer splits the month), the month
-- in the role (1 = the month they started), the ramp factor from
-- seeds/ramp_schedule.csv and the productive FTE = share × ramp factor.
-- Months are those of the business time zone (var business_time_zone).
-- Roles are the mapped ones and, for people without any, the one inferred from
-- what they did (int_user_roles_resolved; role_source says which): an inferred
-- role ramps from its start like a mapped one.
{{ after_quarantine_gate() }}
with roles as (
    select * from {{ ref('int_user_roles_resolved') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

ramp as (
    select * from {{ ref('ramp_schedule') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

stints as (
    select
        roles.user_id,
        roles.role,
        roles.role_source,
        roles.team,
        -- months are cut in the business time zone
        {{ business_time('roles.valid_from') }} as valid_from,
        -- a stint ends at its valid_to, at the person's departure, or now
        {{ business_time('''least(
            coalesce(roles.valid_to, as_of.as_of_at),
            coalesce(users.terminated_at, as_of.as_of_at),
            as_of.as_of_at
        )''') }} as valid_until
    from roles
    -- an inferred role's person may be missing from the users export (mapped ones
    -- never are: their rows are quarantined as orphan_reference); then it stays open
    left join users on roles.user_id = users.user_id
    cross join as_of
),

months as (
    {{ date_spine('month',
        "(select " ~ dbt.date_trunc('month', business_time('min(valid_from)')) ~ " from " ~ ref('int_user_roles_resolved') ~ ")",
        dbt.dateadd('month', 1, "(select " ~ dbt.date_trunc('month', business_time('as_of_at')) ~ " from " ~ ref('int_as_of_date') ~ ")")) }}
),

stint_months as (
    select
        stints.user_id,
        stints.role,
        stints.role_source,
        stints.team,
        months.date_month as month,
        {{ dbt.datediff(dbt.date_trunc('month', 'stints.valid_from'), 'months.date_month', 'month') }} + 1  -- noqa: LT05
            as month_in_role,
        {{ dbt.datediff(
            'greatest(stints.valid_from, cast(months.date_month as ' ~ dbt.type_timestamp() ~ '))',
            'least(stints.valid_until, cast(' ~ dbt.dateadd('month', 1, 'months.date_month') ~ ' as ' ~ dbt.type_timestamp() ~ '))',
            'second') }} as seconds_in_role,
        {{ dbt.datediff('months.date_month', dbt.dateadd('month', 1, 'months.date_month'), 'second') }}
            as seconds_in_month
    from stints
    inner join months
        on
            stints.valid_from < {{ dbt.dateadd('month', 1, 'months.date_month') }}
            and stints.valid_until > months.date_month
),

-- months past the schedule's last row keep its factor
with_ramp as (
    select
        stint_months.*,
        ramp.productivity_factor as ramp_factor
    from stint_months
    inner join ramp
        on ramp.month_in_role = least(
            stint_months.month_in_role, (select max(last_row.month_in_role) from ramp as last_row)
        )
),

final as (
    select
        {{ surrogate_key(['user_id', 'role', 'month']) }} as user_role_month_id,
        user_id,
        role,
        -- one source per person: inferred only when no role is mapped
        max(role_source) as role_source,
        max(team) as team,
        min(month_in_role) as month_in_role,
        sum(1.0 * seconds_in_role / seconds_in_month) as month_share,
        min(ramp_factor) as ramp_factor,
        sum(1.0 * seconds_in_role / seconds_in_month * ramp_factor) as productive_fte,
        month
    from with_ramp
    where seconds_in_role > 0
    group by user_id, role, month
)

select * from final
