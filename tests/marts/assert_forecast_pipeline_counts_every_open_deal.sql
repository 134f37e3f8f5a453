-- forecast_pipeline holds every new-business deal open at the as-of moment
-- (fct_opportunities), once. Amounts are not compared: the pipeline converts at
-- the as-of day's rate, the fact at its close date's.
with mart as (
    select
        1 as as_of_key,
        count(*) as open_count,
        count(distinct opportunity_id) as open_deals_count
    from {{ ref('forecast_pipeline') }}
),

facts as (
    select
        1 as as_of_key,
        count(*) as open_count,
        count(*) as open_deals_count
    from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business' and not is_closed
)

{{ totals_differ('mart', 'facts', ['as_of_key'], ['open_count', 'open_deals_count']) }}
