-- Every new-business deal enters funnel_stage_conversion at the funnel's entry
-- stage in the cohort of its creation month, whatever stage it was created in,
-- and of its own pipeline (sales process).
with mart as (
    select
        funnel_rows.cohort_month,
        funnel_rows.pipeline_id,
        sum(funnel_rows.entered_count) as deals_count
    from {{ ref('funnel_stage_conversion') }} as funnel_rows
    inner join {{ ref('int_funnel_stages') }} as funnel_stages
        on
            funnel_stages.entity_type = 'opportunity'
            and funnel_rows.pipeline_id = funnel_stages.pipeline_id
            and funnel_rows.stage = funnel_stages.stage
    where funnel_stages.is_entry_stage
    group by 1, 2
),

facts as (
    select
        {{ business_month('created_at') }} as cohort_month,
        pipeline_id,
        count(*) as deals_count
    from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business'
    group by 1, 2
)

{{ totals_differ('mart', 'facts', ['cohort_month', 'pipeline_id'], ['deals_count']) }}
