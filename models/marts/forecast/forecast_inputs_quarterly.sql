-- Forecast inputs per quarter and segment, plus an all-segments row (segment
-- '_all', the only row with a quota: quotas are set per AE, not per segment).
-- The pipeline is measured at the start of the quarter (the end of the day before),
-- weighted by the stage-to-win probabilities learnt from the deals decided by then;
-- win rate, deal size and cycle from every new-business deal decided in the quarter.
{{ after_quarantine_gate() }}
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

quotas as (
    select * from {{ ref('stg_crm__quotas') }}
),

levels as (
    select false as is_all_segments
    union all
    select true as is_all_segments
),

quarters as (
    select
        date_quarter as quarter,
        cast({{ dbt.dateadd('day', -1, 'date_quarter') }} as date) as snapshot_date
    from (
        {{ date_spine('quarter',
            "(select " ~ fiscal_quarter('min(pipeline_date)') ~ " from " ~ ref('int_pipeline_daily') ~ ")",
            dbt.dateadd('quarter', 1, "(select " ~ fiscal_quarter('as_of_date') ~ " from "
                ~ ref('int_as_of_date') ~ ")")) }}
    ) as spine
),

-- every stage a deal reached (a skipped stage counts as reached), with its outcome
reached_stages as (
    select distinct
        opportunities.opportunity_id,
        opportunities.segment,
        opportunities.is_won,
        {{ business_date('opportunities.closed_at') }} as closed_date,
        visits.stage
    from opportunities
    inner join visits on opportunities.opportunity_id = visits.entity_id
    where opportunities.is_closed
),

-- stage-to-win probabilities as known at each quarter's start
stage_win_rates as (
    select
        quarters.quarter,
        reached_stages.segment,
        reached_stages.stage,
        {{ safe_divide('sum(case when reached_stages.is_won then 1 else 0 end)', 'count(*)') }} as stage_win_rate
    from quarters
    inner join reached_stages on quarters.snapshot_date >= reached_stages.closed_date
    group by 1, 2, 3
),

quarter_pipeline as (
    select
        quarters.quarter,
        pipeline.segment,
        pipeline.amount_reporting,
        pipeline.amount_reporting * stage_win_rates.stage_win_rate as weighted_amount
    from quarters
    inner join pipeline on quarters.snapshot_date = pipeline.pipeline_date
    left join stage_win_rates
        on
            quarters.quarter = stage_win_rates.quarter
            and pipeline.segment = stage_win_rates.segment
            and pipeline.stage = stage_win_rates.stage
),

pipeline_totals as (
    select
        case when levels.is_all_segments then '_all' else quarter_pipeline.segment end as segment,
        quarter_pipeline.quarter,
        count(*) as pipeline_count,
        sum(quarter_pipeline.amount_reporting) as pipeline_amount,
        -- unknown while a deal's segment and stage have no decided history yet
        case
            when count(quarter_pipeline.weighted_amount) = count(*) then sum(quarter_pipeline.weighted_amount)
        end as weighted_pipeline_amount
    from quarter_pipeline
    cross join levels
    group by 1, 2
),

closed_totals as (
    select
        case when levels.is_all_segments then '_all' else opportunities.segment end as segment,
        {{ fiscal_quarter('opportunities.decided_on') }} as quarter,
        count(*) as closed_count,
        sum(case when opportunities.is_won then 1 else 0 end) as won_count,
        sum(opportunities.won_amount_reporting) as won_amount,
        avg(case when opportunities.is_won then opportunities.cycle_days end) as average_won_cycle_days
    from opportunities
    cross join levels
    where opportunities.is_closed
    group by 1, 2
),

quota_totals as (
    select
        '_all' as segment,
        quarter_start_date as quarter,
        sum(quota_amount_reporting) as quota_amount
    from quotas
    group by 1, 2
),

segments as (
    select distinct segment from pipeline
    union all
    select '_all' as segment
),

grid as (
    select
        segments.segment,
        quarters.quarter,
        coalesce(pipeline_totals.pipeline_count, 0) as pipeline_count,
        coalesce(pipeline_totals.pipeline_amount, 0) as pipeline_amount,
        case
            when pipeline_totals.pipeline_count is null then 0 else pipeline_totals.weighted_pipeline_amount
        end as weighted_pipeline_amount,
        quota_totals.quota_amount,
        coalesce(closed_totals.closed_count, 0) as closed_count,
        coalesce(closed_totals.won_count, 0) as won_count,
        coalesce(closed_totals.won_amount, 0) as won_amount,
        closed_totals.average_won_cycle_days
    from segments
    cross join quarters
    left join pipeline_totals
        on segments.segment = pipeline_totals.segment and quarters.quarter = pipeline_totals.quarter
    left join closed_totals on segments.segment = closed_totals.segment and quarters.quarter = closed_totals.quarter
    left join quota_totals on segments.segment = quota_totals.segment and quarters.quarter = quota_totals.quarter
),

rated as (
    select
        grid.*,
        {{ safe_divide('won_count', 'closed_count') }} as win_rate,
        {{ safe_divide('won_amount', 'won_count') }} as average_deal_amount
    from grid
),

final as (
    select
        segment,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(pipeline_count as {{ dbt.type_bigint() }}) as pipeline_count,
        cast(pipeline_amount as decimal(18, 2)) as pipeline_amount,
        cast(weighted_pipeline_amount as decimal(18, 2)) as weighted_pipeline_amount,
        cast(quota_amount as decimal(18, 2)) as quota_amount,
        {{ safe_divide('pipeline_amount', 'quota_amount') }} as pipeline_coverage_ratio,
        {{ safe_divide('weighted_pipeline_amount', 'quota_amount') }} as weighted_coverage_ratio,
        cast(closed_count as {{ dbt.type_bigint() }}) as closed_count,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(won_amount as decimal(18, 2)) as won_amount,
        win_rate,
        cast(average_deal_amount as decimal(18, 2)) as average_deal_amount,
        cast(average_won_cycle_days as {{ type_double() }}) as average_won_cycle_days,
        cast(
            {{ safe_divide('pipeline_count * win_rate * average_deal_amount', 'average_won_cycle_days') }}
            as decimal(18, 2)
        ) as sales_velocity_amount_per_day,
        {{ fiscal_year('quarter') }} as fiscal_year,
        {{ fiscal_quarter_number('quarter') }} as fiscal_quarter,
        segment = '_all' as is_all_segments,
        quarter
    from rated
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        final.*,
        {{ run_id() }} as run_id
    from final
)

select * from with_run_id
