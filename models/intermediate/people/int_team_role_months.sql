-- One row per role × month: heads (people who held the role at any time in the
-- month), FTE (month shares) and productive FTE (after ramp).
with person_months as (
    select * from {{ ref('int_user_role_months') }}
),

final as (
    select
        role,
        count(distinct user_id) as heads_count,
        sum(month_share) as fte,
        sum(productive_fte) as productive_fte,
        month
    from person_months
    group by role, month
)

select * from final
