-- The all-segments row of new_business_diagnostics equals the sum of its segment
-- rows, the competitor rows add up to the diagnostics' closed and won counts, and
-- the AEs' wins never exceed the quarter's wins.
with diagnostics as (
    select * from {{ ref('new_business_diagnostics') }}
),

competitors as (
    select * from {{ ref('new_business_competitors') }}
),

contributions as (
    select * from {{ ref('new_business_ae_contribution') }}
),

segment_sums as (
    select
        quarter,
        sum(closed_count) as closed_count,
        sum(won_count) as won_count,
        sum(won_amount) as won_amount,
        sum(slipped_deals_count) as slipped_deals_count,
        sum(aged_open_deals_count) as aged_open_deals_count
    from diagnostics
    where not is_all_segments
    group by quarter
),

all_segments as (
    select * from diagnostics
    where is_all_segments
),

all_rows as (
    select
        all_segments.quarter,
        'all segments row' as check_name
    from all_segments
    inner join segment_sums on all_segments.quarter = segment_sums.quarter
    where
        all_segments.closed_count != segment_sums.closed_count
        or all_segments.won_count != segment_sums.won_count
        or all_segments.won_amount != segment_sums.won_amount
        or all_segments.slipped_deals_count != segment_sums.slipped_deals_count
        or all_segments.aged_open_deals_count != coalesce(segment_sums.aged_open_deals_count, 0)
),

competitor_sums as (
    select
        segment,
        quarter,
        sum(closed_count) as closed_count,
        sum(won_count) as won_count
    from competitors
    group by segment, quarter
),

competitor_rows as (
    select
        diagnostics.quarter,
        'competitor rows' as check_name
    from diagnostics
    left join competitor_sums
        on diagnostics.segment = competitor_sums.segment and diagnostics.quarter = competitor_sums.quarter
    where
        diagnostics.closed_count != coalesce(competitor_sums.closed_count, 0)
        or diagnostics.won_count != coalesce(competitor_sums.won_count, 0)
),

contribution_sums as (
    select
        quarter,
        sum(won_count) as won_count
    from contributions
    group by quarter
),

contribution_rows as (
    select
        contribution_sums.quarter,
        'ae contributions' as check_name
    from contribution_sums
    left join all_segments on contribution_sums.quarter = all_segments.quarter
    where contribution_sums.won_count > coalesce(all_segments.won_count, 0)
)

select * from all_rows
union all
select * from competitor_rows
union all
select * from contribution_rows
