-- Per quarter, the all-segments rows of new_business_diagnostics and
-- forecast_inputs_quarterly and the sum of new_business_competitors count every
-- new-business deal decided in the quarter (fct_opportunities).
with facts as (
    select
        {{ fiscal_quarter('decided_on') }} as quarter,
        sum(case when is_won then 1 else 0 end) as won_count,
        count(*) as closed_count,
        sum(won_amount_reporting) as won_amount
    from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business' and is_closed
    group by 1
),

diagnostics as (
    select
        quarter,
        won_count,
        closed_count,
        won_amount
    from {{ ref('new_business_diagnostics') }}
    where is_all_segments and closed_count > 0
),

forecast as (
    select
        quarter,
        won_count,
        closed_count,
        won_amount
    from {{ ref('forecast_inputs_quarterly') }}
    where is_all_segments and closed_count > 0
),

competitors as (
    select
        quarter,
        sum(won_count) as won_count,
        sum(closed_count) as closed_count,
        sum(won_amount) as won_amount
    from {{ ref('new_business_competitors') }}
    where is_all_segments
    group by 1
),

differences as (
    select
        'new_business_diagnostics' as mart_name,
        diagnostics_differ.*
    from ({{ totals_differ('diagnostics', 'facts', ['quarter'], ['won_count', 'closed_count', 'won_amount']) }})
        as diagnostics_differ
    union all
    select
        'forecast_inputs_quarterly' as mart_name,
        forecast_differ.*
    from ({{ totals_differ('forecast', 'facts', ['quarter'], ['won_count', 'closed_count', 'won_amount']) }})
        as forecast_differ
    union all
    select
        'new_business_competitors' as mart_name,
        competitors_differ.*
    from ({{ totals_differ('competitors', 'facts', ['quarter'], ['won_count', 'closed_count', 'won_amount']) }})
        as competitors_differ
)

select * from differences
