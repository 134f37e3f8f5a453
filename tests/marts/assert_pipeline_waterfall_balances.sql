-- Every month balances (amounts and counts), the months of a segment have no
-- gaps, and each month opens where the previous one closed (the first at zero).
-- Exact: the amounts are decimals, and a deal's amount that appears on or
-- vanishes from an open deal is a term of its own. An unbalanced month fails the build.
{{ config(severity='error') }}
with waterfall as (
    select
        segment,
        month,
        opening_count,
        closing_count,
        opening_amount,
        closing_amount,
        opening_count + created_count + reopened_count - won_count - lost_count as expected_closing_count,
        opening_amount + created_amount + reopened_amount - won_amount - lost_amount + amount_changed_amount
        + amount_appeared_amount - amount_vanished_amount as expected_closing_amount,
        lag(month) over segment_months as previous_month,
        lag(closing_count) over segment_months as previous_closing_count,
        lag(closing_amount) over segment_months as previous_closing_amount
    from {{ ref('pipeline_waterfall') }}
    window segment_months as (partition by segment order by month)
)

select *
from waterfall
where
    closing_count != expected_closing_count
    or closing_amount != expected_closing_amount
    or (previous_month is null and (opening_count != 0 or opening_amount != 0))
    or previous_month != cast({{ dbt.dateadd('month', -1, 'month') }} as date)
    or opening_count != previous_closing_count
    or opening_amount != previous_closing_amount
