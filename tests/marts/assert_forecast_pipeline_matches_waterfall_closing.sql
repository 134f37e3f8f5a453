-- The forecast's open deals are the as-of month's closing pipeline of the
-- waterfall, per segment, in count and amount; weights never exceed amounts and
-- no expected close lies before the as-of date.
with forecast as (
    select
        segment,
        count(*) as open_count,
        sum(amount) as open_amount
    from {{ ref('forecast_pipeline') }}
    group by segment
),

waterfall as (
    select
        segment,
        closing_count,
        closing_amount
    from {{ ref('pipeline_waterfall') }}
    where month = (select max(months.month) from {{ ref('pipeline_waterfall') }} as months)
),

totals as (
    select
        coalesce(forecast.segment, waterfall.segment) as segment,
        'waterfall closing' as check_name
    from forecast
    full outer join waterfall on forecast.segment = waterfall.segment
    where
        coalesce(forecast.open_count, 0) != coalesce(waterfall.closing_count, 0)
        or coalesce(forecast.open_amount, 0) != coalesce(waterfall.closing_amount, 0)
),

deals as (
    select
        segment,
        'deal bounds' as check_name
    from {{ ref('forecast_pipeline') }}
    where weighted_amount > amount or expected_close_date < as_of_date
)

select * from totals
union all
select * from deals
