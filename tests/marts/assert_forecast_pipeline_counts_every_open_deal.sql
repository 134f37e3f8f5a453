-- forecast_pipeline holds every new-business deal open at the as-of moment
-- (fct_opportunities), once, with its amount.
with mart as (
    select
        1 as as_of_key,
        count(*) as open_count,
        sum(amount) as open_amount
    from {{ ref('forecast_pipeline') }}
),

facts as (
    select
        1 as as_of_key,
        count(*) as open_count,
        sum(amount_reporting) as open_amount
    from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business' and not is_closed
)

{{ totals_differ('mart', 'facts', ['as_of_key'], ['open_count', 'open_amount']) }}
