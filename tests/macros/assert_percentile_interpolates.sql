-- percentile() is continuous (interpolated) and agrees with median() at 0.5:
-- over 1, 2, 3, 4 the 75th percentile is 3.25 and the median 2.5.
with numbers as (
    select 1 as number_value
    union all
    select 2
    union all
    select 3
    union all
    select 4
),

computed as (
    select
        {{ percentile('number_value', 0.75) }} as p75,
        {{ percentile('number_value', 0.5) }} as p50,
        {{ median('number_value') }} as p50_median
    from numbers
)

select *
from computed
where abs(p75 - 3.25) > 0.000001 or abs(p50 - 2.5) > 0.000001 or p50 != p50_median
