-- The call date is the first Monday-to-Friday day after the as-of date, the
-- ranks of each SDR run 1..n without gaps, and every reason holds its condition.
with call_list as (
    select * from {{ ref('inside_sales_call_list') }}
),

-- days since a Monday, modulo 7: 5 and 6 are Saturday and Sunday
call_days as (
    select
        as_of_date,
        call_date,
        mod({{ dbt.datediff("cast('2024-01-01' as date)", 'call_date', 'day') }}, 7) as call_weekday,  -- noqa: LT05
        {{ dbt.datediff('as_of_date', 'call_date', 'day') }} as days_ahead  -- noqa: LT05
    from call_list
),

day_rows as (
    select
        as_of_date,
        'call date' as check_name
    from call_days
    where
        call_weekday >= 5
        or days_ahead < 1
        or days_ahead > 3
        -- a later weekday than needed: the day after the as-of date was a weekday
        or (days_ahead > 1 and call_weekday != 0)
),

ranks as (
    select
        user_id,
        count(*) as row_count,
        max(priority_rank) as max_rank,
        min(priority_rank) as min_rank
    from call_list
    group by user_id
),

rank_rows as (
    select
        cast(null as date) as as_of_date,
        'ranks' as check_name
    from ranks
    where min_rank != 1 or max_rank != row_count
),

reason_rows as (
    select
        as_of_date,
        'reason' as check_name
    from call_list
    where
        (
            reason = 'new_high_fit_lead'
            and (last_activity_at is not null or fit_score < {{ var('call_list_min_fit_score') }})
        )
        or (
            reason = 'due_follow_up'
            and (status != 'sdr_working' or days_since_last_touch <= {{ var('call_list_follow_up_days') }})
        )
        or (reason = 'stale_handoff' and (opportunity_id is null or status != 'opportunity_created'))
)

select * from day_rows
union all
select * from rank_rows
union all
select * from reason_rows
