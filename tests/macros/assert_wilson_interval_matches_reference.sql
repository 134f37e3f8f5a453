-- The 95% Wilson interval against values worked out by hand (Python, z = 1.96):
-- 0/10, 5/10, 10/10, 1/1 and 81/263; null without trials; the rate lies inside.
{%- set reference = [
    (0, 10, 0.0, 0.277540),
    (5, 10, 0.236590, 0.763410),
    (10, 10, 0.722460, 1.0),
    (1, 1, 0.206543, 1.0),
    (81, 263, 0.255288, 0.366211),
] %}

with cases as (
    {%- for successes, trials, low, high in reference %}
        select
            {{ successes }} as successes,
            {{ trials }} as trials,
            {{ low }} as expected_low,
            {{ high }} as expected_high
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

computed as (
    select
        successes,
        trials,
        expected_low,
        expected_high,
        {{ wilson_interval_low('successes', 'trials') }} as observed_low,
        {{ wilson_interval_high('successes', 'trials') }} as observed_high
    from cases
),

checks as (
    select
        'matches reference' as check_name,
        successes,
        trials
    from computed
    where
        abs(observed_low - expected_low) > 0.000001
        or abs(observed_high - expected_high) > 0.000001
        or observed_low is null
        or observed_high is null
        -- the interval holds the rate, exactly at the edges
        or observed_low > cast(successes as {{ type_double() }}) / trials
        or observed_high < cast(successes as {{ type_double() }}) / trials
    union all
    select
        'null without trials' as check_name,
        0 as successes,
        0 as trials
    where
        {{ wilson_interval_low('0', '0') }} is not null
        or {{ wilson_interval_high('0', '0') }} is not null
        or {{ wilson_interval_low('0', 'cast(null as integer)') }} is not null
        or {{ wilson_interval_high('0', 'cast(null as integer)') }} is not null
)

select * from checks
