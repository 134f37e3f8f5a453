-- The open new-business pipeline on the as-of date, one row per deal, with what
-- a forecast needs: the historical probability that a deal of its segment that
-- reached its stage was won (and how many decided deals that rests on), the
-- weighted amount, and the close date moved by the segment's average slip.
with pipeline as (
    select * from {{ ref('int_pipeline_daily') }}
    where opportunity_type = 'new_business'
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business'
),

visits as (
    select * from {{ ref('fct_stage_visits') }}
    where entity_type = 'opportunity'
),

close_dates as (
    select * from {{ ref('int_opportunity_field_values_historized') }}
    where field = 'close_date'
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- deals decided by the as-of moment
decided_deals as (
    select * from opportunities
    where is_closed
),

-- every stage a decided deal reached (a skipped stage counts as reached)
reached_stages as (
    select distinct
        decided_deals.opportunity_id,
        decided_deals.segment,
        decided_deals.is_won,
        visits.stage
    from decided_deals
    inner join visits on decided_deals.opportunity_id = visits.entity_id
),

stage_win_rates as (
    select
        segment,
        stage,
        count(*) as decided_count,
        sum(case when is_won then 1 else 0 end) as won_count
    from reached_stages
    group by segment, stage
),

-- slip of a won deal: its close date against the first close date it was given
-- (the first promise: a close date replaced within a minute promised nothing);
-- a slip of more than var('max_slip_days') either way is an outlier, left out
first_close_dates as (
    select
        opportunity_id,
        cast(field_value as date) as first_close_date,
        row_number() over (partition by opportunity_id order by valid_from) as version_number
    from close_dates
    where {{ is_close_date_promise('valid_from', 'valid_to') }}
),

segment_slips as (
    select
        decided_deals.segment,
        avg(
            {{ dbt.datediff('first_close_dates.first_close_date', business_date('decided_deals.closed_at'), 'day') }}
        ) as average_slip_days,
        count(*) as won_count
    from decided_deals
    inner join first_close_dates
        on decided_deals.opportunity_id = first_close_dates.opportunity_id and first_close_dates.version_number = 1
    where
        decided_deals.is_won
        and not {{ is_slip_outlier(dbt.datediff('first_close_dates.first_close_date',
            business_date('decided_deals.closed_at'), 'day')) }}
    group by decided_deals.segment
),

open_deals as (
    select
        pipeline.opportunity_id,
        pipeline.owner_id,
        pipeline.segment,
        pipeline.stage,
        pipeline.forecast_category,
        pipeline.amount_reporting,
        stage_win_rates.decided_count as stage_win_sample_count,
        {{ safe_divide('stage_win_rates.won_count', 'stage_win_rates.decided_count') }} as stage_win_rate,
        segment_slips.average_slip_days,
        pipeline.close_date,
        pipeline.pipeline_date as as_of_date
    from pipeline
    inner join as_of on pipeline.pipeline_date = as_of.as_of_date
    left join stage_win_rates on pipeline.segment = stage_win_rates.segment and pipeline.stage = stage_win_rates.stage
    left join segment_slips on pipeline.segment = segment_slips.segment
),

-- the slip-adjusted close date is never before the as-of date
with_expected_close as (
    select
        open_deals.*,
        greatest(
            cast({{ dbt.dateadd('day', 'cast(round(coalesce(open_deals.average_slip_days, 0)) as integer)',
                'open_deals.close_date') }} as date),
            open_deals.as_of_date
        ) as expected_close_date
    from open_deals
),

final as (
    select
        opportunity_id,
        owner_id,
        segment,
        stage,
        forecast_category,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(amount_reporting as decimal(18, 2)) as amount,
        stage_win_rate,
        cast(coalesce(stage_win_sample_count, 0) as {{ dbt.type_bigint() }}) as stage_win_sample_count,
        cast(amount_reporting * stage_win_rate as decimal(18, 2)) as weighted_amount,
        cast(average_slip_days as {{ type_double() }}) as segment_average_slip_days,
        close_date,
        expected_close_date,
        {{ fiscal_quarter('expected_close_date') }} as expected_close_quarter,
        as_of_date
    from with_expected_close
),

-- the person's name beside the id (dim_users); people without a user row
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
        user_names.full_name as owner_name
    from final
    left join user_names on final.owner_id = user_names.user_id
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        named.*,
        {{ run_id() }} as run_id
    from named
)

select * from with_run_id
