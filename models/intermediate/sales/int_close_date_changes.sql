-- One row per change of an opportunity's expected close date: pushed out
-- (later) or pulled in (earlier), and by how many days.
with close_dates as (
    select * from {{ ref('int_opportunity_field_values_historized') }}
    where field = 'close_date'
),

sequenced as (
    select
        opportunity_id,
        cast(field_value as date) as new_close_date,
        lag(cast(field_value as date)) over (
            partition by opportunity_id order by valid_from
        ) as old_close_date,
        valid_from as changed_at
    from close_dates
),

final as (
    select
        {{ surrogate_key(['opportunity_id', 'changed_at']) }} as close_date_change_id,
        opportunity_id,
        case when new_close_date > old_close_date then 'pushed_out' else 'pulled_in' end as direction,
        {{ dbt.datediff('old_close_date', 'new_close_date', 'day') }} as change_days,  -- noqa: LT05
        old_close_date,
        new_close_date,
        changed_at
    from sequenced
    where old_close_date is not null and new_close_date != old_close_date
)

select * from final
