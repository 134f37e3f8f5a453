-- Per-AE contribution to new business per quarter: every AE who ever held the
-- field sales role, in every quarter from their first quarter in the role to the
-- as-of quarter, so a departure shows as contribution falling to zero. Wins
-- belong to the AE who owned the deal at close (as in field_sales_kpis_monthly);
-- shares are of every new-business deal won in the quarter, whoever owned it.
{{ after_quarantine_gate() }}
with opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business' and is_closed
),

role_months as (
    select * from {{ ref('int_user_role_months') }}
    where role = 'field_sales'
),

roles as (
    select * from {{ ref('int_user_roles_resolved') }}
    where role = 'field_sales'
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

quarters as (
    {{ date_spine('quarter',
        "(select " ~ business_quarter('min(valid_from)') ~ " from " ~ ref('int_user_roles_resolved') ~ ")",
        dbt.dateadd('quarter', 1, "(select " ~ fiscal_quarter('as_of_date') ~ " from "
            ~ ref('int_as_of_date') ~ ")")) }}
),

-- when the AE last left the role (transfer or departure); null while still in it
tenures as (
    select
        roles.user_id,
        min(roles.valid_from) as started_at,
        case
            when max(case when roles.valid_to is null then 1 else 0 end) = 1 then max(users.terminated_at)
            else least(max(roles.valid_to), coalesce(max(users.terminated_at), max(roles.valid_to)))
        end as left_at
    from roles
    inner join users on roles.user_id = users.user_id
    group by 1
),

quarter_fte as (
    select
        user_id,
        {{ fiscal_quarter('month') }} as quarter,
        sum(productive_fte) / 3.0 as productive_fte,
        min(ramp_factor) as min_ramp_factor
    from role_months
    group by 1, 2
),

closed_totals as (
    select
        closing_owner_id as user_id,
        {{ fiscal_quarter('decided_on') }} as quarter,
        count(*) as closed_count,
        sum(case when is_won then 1 else 0 end) as won_count,
        sum(won_amount_reporting) as won_amount
    from opportunities
    group by 1, 2
),

team_totals as (
    select
        quarter,
        sum(won_count) as team_won_count,
        sum(won_amount) as team_won_amount
    from closed_totals
    group by 1
),

grid as (
    select
        tenures.user_id,
        quarters.date_quarter as quarter,
        tenures.left_at,
        coalesce(quarter_fte.productive_fte, 0) as productive_fte,
        coalesce(closed_totals.closed_count, 0) as closed_count,
        coalesce(closed_totals.won_count, 0) as won_count,
        coalesce(closed_totals.won_amount, 0) as won_amount,
        team_totals.team_won_count,
        team_totals.team_won_amount,
        -- gone from the role by the quarter's end
        coalesce(
            {{ business_time('tenures.left_at') }} < {{ dbt.dateadd('quarter', 1, 'quarters.date_quarter') }}, false
        ) as is_departed,
        -- held the role with a ramp factor below 1 in a month of the quarter
        coalesce(quarter_fte.min_ramp_factor < 1, false) as is_ramping
    from tenures
    inner join quarters on quarters.date_quarter >= {{ business_quarter('tenures.started_at') }}
    left join quarter_fte on tenures.user_id = quarter_fte.user_id and quarters.date_quarter = quarter_fte.quarter
    left join closed_totals on tenures.user_id = closed_totals.user_id and quarters.date_quarter = closed_totals.quarter
    left join team_totals on quarters.date_quarter = team_totals.quarter
),

final as (
    select
        user_id,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(productive_fte as {{ type_double() }}) as productive_fte,
        cast(closed_count as {{ dbt.type_bigint() }}) as closed_count,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(won_amount as decimal(18, 2)) as won_amount,
        {{ safe_divide('won_count', 'closed_count') }} as win_rate,
        {{ safe_divide('won_count', 'team_won_count') }} as won_count_share,
        {{ safe_divide('won_amount', 'team_won_amount') }} as won_amount_share,
        {{ fiscal_year('quarter') }} as fiscal_year,
        {{ fiscal_quarter_number('quarter') }} as fiscal_quarter,
        is_departed,
        is_ramping,
        quarter,
        left_at
    from grid
),

-- the person's name beside the id (dim_users); team rows and people without a user row
-- (inferred from the records) have none
user_names as (
    select
        user_id,
        full_name
    from {{ ref('dim_users') }}
),

named as (
    select
        final.*,
        user_names.full_name as ae_name
    from final
    left join user_names on final.user_id = user_names.user_id
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        named.*,
        {{ run_id() }} as run_id
    from named
)

select * from with_run_id
