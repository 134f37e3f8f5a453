-- Why new business fell: per quarter and segment, plus an all-segments row
-- (segment '_all'), the checks a manager runs when new contracts fall. Won
-- count and amount against the previous quarter, the stage whose conversion
-- dropped most against the previous quarter, open deals aged beyond their
-- segment's usual cycle at the quarter's end, and deals whose close date slipped.
-- Win rate by competitor: new_business_competitors; per AE: new_business_ae_contribution.
with opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business'
),

exits as (
    select * from {{ ref('fct_stage_visits') }}
    where is_conversion_exit and entity_type = 'opportunity' and pipeline_type = 'new_business'
),

pipeline as (
    select * from {{ ref('int_pipeline_daily') }}
    where opportunity_type = 'new_business'
),

slips as (
    select * from {{ ref('int_close_date_changes') }}
    where direction = 'pushed_out'
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

levels as (
    select false as is_all_segments
    union all
    select true as is_all_segments
),

quarters as (
    select
        spine.date_quarter as quarter,
        -- the quarter's last day, or the as-of day in the as-of quarter
        least(
            cast({{ dbt.dateadd('day', -1, dbt.dateadd('quarter', 1, 'spine.date_quarter')) }} as date),
            as_of.as_of_date
        ) as quarter_end_date
    from (
        {{ date_spine('quarter',
            "(select " ~ business_quarter('min(created_at)') ~ " from " ~ ref('fct_opportunities') ~ ")",
            dbt.dateadd('quarter', 1, "(select " ~ fiscal_quarter('as_of_date') ~ " from "
                ~ ref('int_as_of_date') ~ ")")) }}
    ) as spine
    cross join as_of
),

segments as (
    select distinct segment from opportunities
    union all
    select '_all' as segment
),

closed_totals as (
    select
        case when levels.is_all_segments then '_all' else opportunities.segment end as segment,
        {{ fiscal_quarter('opportunities.decided_on') }} as quarter,
        count(*) as closed_count,
        sum(case when opportunities.is_won then 1 else 0 end) as won_count,
        sum(opportunities.won_amount_reporting) as won_amount
    from opportunities
    cross join levels
    where opportunities.is_closed
    group by 1, 2
),

-- the usual cycle: p75 of the won cycle days of the four quarters before the quarter
usual_cycles as (
    select
        case when levels.is_all_segments then '_all' else won_deals.segment end as segment,
        quarters.quarter,
        {{ percentile('won_deals.cycle_days', 0.75) }} as usual_won_cycle_days
    from quarters
    inner join opportunities as won_deals
        on
            quarters.quarter > won_deals.decided_on
            and {{ dbt.dateadd('quarter', -4, 'quarters.quarter') }} <= won_deals.decided_on
    cross join levels
    where won_deals.is_won
    group by 1, 2
),

-- open deals at the quarter's end older than their own segment's usual cycle
aged_totals as (
    select
        case when levels.is_all_segments then '_all' else pipeline.segment end as segment,
        quarters.quarter,
        count(*) as aged_open_deals_count
    from quarters
    inner join pipeline on quarters.quarter_end_date = pipeline.pipeline_date
    inner join opportunities on pipeline.opportunity_id = opportunities.opportunity_id
    inner join usual_cycles
        on pipeline.segment = usual_cycles.segment and quarters.quarter = usual_cycles.quarter
    cross join levels
    where
        {{ dbt.datediff('opportunities.created_at', 'quarters.quarter_end_date', 'day') }}
        > usual_cycles.usual_won_cycle_days
    group by 1, 2
),

slip_totals as (
    select
        case when levels.is_all_segments then '_all' else opportunities.segment end as segment,
        {{ business_quarter('slips.changed_at') }} as quarter,
        count(distinct slips.opportunity_id) as slipped_deals_count
    from slips
    inner join opportunities on slips.opportunity_id = opportunities.opportunity_id
    cross join levels
    group by 1, 2
),

-- stage conversion on the quarter's exits (kpi_stage_conversion_rate)
stage_quarters as (
    select
        case when levels.is_all_segments then '_all' else exits.segment end as segment,
        {{ business_quarter('exits.exited_at') }} as quarter,
        exits.stage,
        exits.stage_order,
        count(*) as exits_count,
        sum(case when exits.is_advanced then 1 else 0 end) as advanced_count
    from exits
    cross join levels
    group by 1, 2, 3, 4
),

stage_changes as (
    select
        current_quarter.segment,
        current_quarter.quarter,
        current_quarter.stage,
        current_quarter.stage_order,
        {{ safe_divide('current_quarter.advanced_count', 'current_quarter.exits_count') }} as conversion_rate,
        {{ safe_divide('previous_quarter.advanced_count', 'previous_quarter.exits_count') }}
            as previous_conversion_rate
    from stage_quarters as current_quarter
    inner join stage_quarters as previous_quarter
        on
            current_quarter.segment = previous_quarter.segment
            and current_quarter.stage = previous_quarter.stage
            and previous_quarter.quarter = cast({{ dbt.dateadd('quarter', -1, 'current_quarter.quarter') }} as date)
    -- too few exits in either quarter to judge: left out
    where
        current_quarter.exits_count >= {{ var('bottleneck_min_exits') }}
        and previous_quarter.exits_count >= {{ var('bottleneck_min_exits') }}
),

-- the stage that weakened most (conversion fell; ties go to the earlier stage)
weakest_stages as (
    select
        segment,
        quarter,
        stage as weakest_stage,
        conversion_rate as weakest_stage_conversion_rate,
        previous_conversion_rate as weakest_stage_previous_conversion_rate,
        row_number() over (
            partition by segment, quarter
            order by previous_conversion_rate - conversion_rate desc, stage_order asc
        ) as weakness_rank
    from stage_changes
    where conversion_rate < previous_conversion_rate
),

grid as (
    select
        segments.segment,
        quarters.quarter,
        coalesce(closed_totals.closed_count, 0) as closed_count,
        coalesce(closed_totals.won_count, 0) as won_count,
        coalesce(closed_totals.won_amount, 0) as won_amount,
        usual_cycles.usual_won_cycle_days,
        case
            when usual_cycles.usual_won_cycle_days is not null then coalesce(aged_totals.aged_open_deals_count, 0)
        end as aged_open_deals_count,
        coalesce(slip_totals.slipped_deals_count, 0) as slipped_deals_count,
        weakest_stages.weakest_stage,
        weakest_stages.weakest_stage_conversion_rate,
        weakest_stages.weakest_stage_previous_conversion_rate
    from segments
    cross join quarters
    left join closed_totals on segments.segment = closed_totals.segment and quarters.quarter = closed_totals.quarter
    left join usual_cycles on segments.segment = usual_cycles.segment and quarters.quarter = usual_cycles.quarter
    left join aged_totals on segments.segment = aged_totals.segment and quarters.quarter = aged_totals.quarter
    left join slip_totals on segments.segment = slip_totals.segment and quarters.quarter = slip_totals.quarter
    left join weakest_stages
        on
            segments.segment = weakest_stages.segment
            and quarters.quarter = weakest_stages.quarter
            and weakest_stages.weakness_rank = 1
),

with_previous as (
    select
        grid.*,
        lag(grid.won_count) over (partition by grid.segment order by grid.quarter) as previous_won_count,
        lag(grid.won_amount) over (partition by grid.segment order by grid.quarter) as previous_won_amount
    from grid
),

final as (
    select
        segment,
        weakest_stage,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(previous_won_count as {{ dbt.type_bigint() }}) as previous_won_count,
        cast(won_count - previous_won_count as {{ dbt.type_bigint() }}) as won_count_change,
        cast(won_amount as decimal(18, 2)) as won_amount,
        cast(previous_won_amount as decimal(18, 2)) as previous_won_amount,
        cast(won_amount - previous_won_amount as decimal(18, 2)) as won_amount_change,
        cast(closed_count as {{ dbt.type_bigint() }}) as closed_count,
        {{ safe_divide('won_count', 'closed_count') }} as win_rate,
        weakest_stage_conversion_rate,
        weakest_stage_previous_conversion_rate,
        weakest_stage_previous_conversion_rate - weakest_stage_conversion_rate as weakest_stage_conversion_drop,
        cast(usual_won_cycle_days as {{ type_double() }}) as usual_won_cycle_days,
        cast(aged_open_deals_count as {{ dbt.type_bigint() }}) as aged_open_deals_count,
        cast(slipped_deals_count as {{ dbt.type_bigint() }}) as slipped_deals_count,
        {{ fiscal_year('quarter') }} as fiscal_year,
        {{ fiscal_quarter_number('quarter') }} as fiscal_quarter,
        segment = '_all' as is_all_segments,
        quarter
    from with_previous
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        final.*,
        {{ run_id() }} as run_id
    from final
)

select * from with_run_id
