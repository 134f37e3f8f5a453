-- One row per change of an opportunity's expected close date: pushed out
-- (later) or pulled in (earlier), and by how many days. Only promises count: a
-- close date replaced less than a minute after it was set is skipped, and the
-- change through it runs from the version before it to the version after it
-- (none when those two are the same date). A change of more than
-- var('max_slip_days') days either way is kept and flagged is_outlier.
with close_dates as (
    select * from {{ ref('int_opportunity_field_values_historized') }}
    where field = 'close_date'
),

promises as (
    select
        opportunity_id,
        cast(field_value as date) as close_date,
        valid_from
    from close_dates
    where {{ is_close_date_promise('valid_from', 'valid_to') }}
),

sequenced as (
    select
        opportunity_id,
        close_date as new_close_date,
        lag(close_date) over (partition by opportunity_id order by valid_from) as old_close_date,
        valid_from as changed_at
    from promises
),

changes as (
    select
        opportunity_id,
        case when new_close_date > old_close_date then 'pushed_out' else 'pulled_in' end as direction,
        {{ dbt.datediff('old_close_date', 'new_close_date', 'day') }} as change_days,  -- noqa: LT05
        old_close_date,
        new_close_date,
        changed_at
    from sequenced
    where old_close_date is not null and new_close_date != old_close_date
),

final as (
    select
        {{ surrogate_key(['opportunity_id', 'changed_at']) }} as close_date_change_id,
        opportunity_id,
        direction,
        change_days,
        {{ is_slip_outlier('change_days') }} as is_outlier,
        old_close_date,
        new_close_date,
        changed_at
    from changes
)

select * from final
