-- The call date is the first Monday-to-Friday day after the as-of date that is
-- not in the holidays seed, the ranks of each SDR run 1..n without gaps, and every
-- reason holds its condition.
with call_list as (
    select * from {{ ref('inside_sales_call_list') }}
),

holidays as (
    select * from {{ ref('holidays') }}
),

day_offsets as (
    {%- for offset in range(1, 32) %}
        select {{ offset }} as day_offset
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- days since Monday 1 January 1900, modulo 7: 5 and 6 are Saturday and Sunday
call_days as (
    select distinct
        as_of_date,
        call_date,
        mod({{ dbt.datediff("cast('1900-01-01' as date)", 'call_date', 'day') }}, 7) as call_weekday,  -- noqa: LT05
        {{ dbt.datediff('as_of_date', 'call_date', 'day') }} as days_ahead  -- noqa: LT05
    from call_list
),

-- the days after the as-of date and before the call date that were working days
skipped_working_days as (
    select
        call_days.as_of_date,
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'call_days.as_of_date') }} as date) as skipped_date
    from call_days
    inner join day_offsets on call_days.days_ahead > day_offsets.day_offset
),

day_rows as (
    select
        call_days.as_of_date,
        'call date' as check_name
    from call_days
    left join holidays on call_days.call_date = holidays.holiday_date
    where
        call_days.call_weekday >= 5
        or holidays.holiday_date is not null
        or call_days.days_ahead < 1
    union all
    select
        skipped_working_days.as_of_date,
        'a working day was skipped' as check_name
    from skipped_working_days
    left join holidays on skipped_working_days.skipped_date = holidays.holiday_date
    where
        mod({{ dbt.datediff("cast('1900-01-01' as date)", 'skipped_working_days.skipped_date', 'day') }}, 7) < 5  -- noqa: LT05
        and holidays.holiday_date is null
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
