-- The spine covers [start, end): every day across a leap-year February and
-- every month start of a year, with no gaps and no duplicates.
with days as (
    {{ date_spine('day', "cast('2024-02-27' as date)", "cast('2024-03-02' as date)") }}
),

months as (
    {{ date_spine('month', "cast('2024-01-01' as date)", "cast('2025-01-01' as date)") }}
),

checks as (
    select
        'day count' as check_name,
        count(*) as observed,
        4 as expected
    from days
    union all
    select
        'distinct days' as check_name,
        count(distinct date_day) as observed,
        4 as expected
    from days
    union all
    select
        'leap day present' as check_name,
        count(*) as observed,
        1 as expected
    from days
    where date_day = cast('2024-02-29' as date)
    union all
    select
        'month count' as check_name,
        count(*) as observed,
        12 as expected
    from months
    union all
    select
        'last month' as check_name,
        count(*) as observed,
        1 as expected
    from months
    where date_month = cast('2024-12-01' as date)
)

select *
from checks
where observed != expected
