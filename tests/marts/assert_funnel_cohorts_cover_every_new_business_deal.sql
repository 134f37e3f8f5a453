-- Every new-business deal enters funnel_stage_conversion at the funnel's entry
-- stage in the cohort of its creation month, whatever stage it was created in.
with mart as (
    select
        conversion.cohort_month,
        sum(conversion.entered_count) as deals_count
    from {{ ref('funnel_stage_conversion') }} as conversion
    inner join {{ ref('int_funnel_stages') }} as stages
        on stages.entity_type = 'opportunity' and conversion.stage = stages.stage
    where stages.is_entry_stage
    group by conversion.cohort_month
),

facts as (
    select
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month,
        count(*) as deals_count
    from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business'
    group by 1
)

{{ totals_differ('mart', 'facts', ['cohort_month'], ['deals_count']) }}
