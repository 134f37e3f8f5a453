-- New-business deals by cohort (the month they were created), segment and lead
-- channel: how many entered each stage of the sales funnel, how many moved on,
-- were lost or are still open there, the conversion with its 95% Wilson interval,
-- and how long they sat in the stage. Every new-business deal is in the cohort
-- of its creation: a deal created directly at a later stage passed the earlier
-- stages at its creation (fct_stage_visits.is_passed_at_creation), so the
-- funnel never grows down a cohort and no deal is left out. Per pipeline (sales
-- process): each deal in its own pipeline's stages.
with visits as (
    select * from {{ ref('fct_stage_visits') }}
    where entity_type = 'opportunity' and is_sales_stage
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business'
),

funnel_stages as (
    select
        pipeline_id,
        stage,
        stage_order
    from {{ ref('int_funnel_stages') }}
    where entity_type = 'opportunity' and is_sales_stage
),

cohorts as (
    select
        opportunities.opportunity_id,
        opportunities.pipeline_id,
        opportunities.segment,
        opportunities.channel,
        opportunities.is_closed,
        {{ business_month('opportunities.created_at') }} as cohort_month
    from opportunities
),

-- one row per deal and stage it reached (a skipped stage counts as passed through)
deal_stages as (
    select
        entity_id as opportunity_id,
        stage,
        max(case when is_advanced then 1 else 0 end) as is_advanced,
        max(case when is_current then 1 else 0 end) as is_current,
        sum(case when not is_skipped then days_in_stage else 0 end) as days_in_stage,
        max(case when not is_skipped then 1 else 0 end) as has_stayed
    from visits
    group by entity_id, stage
),

-- advanced: ever moved forward from the stage; otherwise lost when the deal is
-- closed, still open when it is not
outcomes as (
    select
        cohorts.cohort_month,
        cohorts.pipeline_id,
        cohorts.segment,
        cohorts.channel,
        deal_stages.stage,
        deal_stages.is_advanced,
        case when deal_stages.is_advanced = 0 and cohorts.is_closed then 1 else 0 end as is_lost,
        case when deal_stages.is_advanced = 0 and not cohorts.is_closed then 1 else 0 end as is_still_open,
        -- days in the stage of the deals that sat in it and have left it
        case
            when deal_stages.has_stayed = 1 and deal_stages.is_current = 0 then deal_stages.days_in_stage
        end as completed_days_in_stage
    from deal_stages
    inner join cohorts on deal_stages.opportunity_id = cohorts.opportunity_id
),

totals as (
    select
        cohort_month,
        pipeline_id,
        segment,
        channel,
        stage,
        count(*) as entered_count,
        sum(is_advanced) as advanced_count,
        sum(is_lost) as lost_count,
        sum(is_still_open) as still_open_count,
        {{ median('completed_days_in_stage') }} as median_days_in_stage,
        {{ percentile('completed_days_in_stage', 0.75) }} as p75_days_in_stage
    from outcomes
    group by cohort_month, pipeline_id, segment, channel, stage
),

final as (
    select
        totals.pipeline_id,
        totals.segment,
        totals.channel,
        totals.stage,
        funnel_stages.stage_order,
        cast(totals.entered_count as {{ dbt.type_bigint() }}) as entered_count,
        cast(totals.advanced_count as {{ dbt.type_bigint() }}) as advanced_count,
        cast(totals.lost_count as {{ dbt.type_bigint() }}) as lost_count,
        cast(totals.still_open_count as {{ dbt.type_bigint() }}) as still_open_count,
        {{ safe_divide('totals.advanced_count', 'totals.advanced_count + totals.lost_count') }} as conversion_rate,
        {{ wilson_interval_low('totals.advanced_count', 'totals.advanced_count + totals.lost_count') }}
            as conversion_rate_ci_low,
        {{ wilson_interval_high('totals.advanced_count', 'totals.advanced_count + totals.lost_count') }}
            as conversion_rate_ci_high,
        cast(totals.median_days_in_stage as {{ type_double() }}) as median_days_in_stage,
        cast(totals.p75_days_in_stage as {{ type_double() }}) as p75_days_in_stage,
        totals.cohort_month
    from totals
    inner join funnel_stages
        on totals.pipeline_id = funnel_stages.pipeline_id and totals.stage = funnel_stages.stage
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        final.*,
        {{ run_id() }} as run_id
    from final
)

select * from with_run_id
