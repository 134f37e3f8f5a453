-- The all-segments row equals the sum of the segment rows for every count and
-- amount, each quarter's pipeline equals the waterfall's closing pipeline of the
-- month before the quarter (zero before the first month), and the weighted
-- pipeline never exceeds the pipeline.
with inputs as (
    select * from {{ ref('forecast_inputs_quarterly') }}
),

segment_sums as (
    select
        quarter,
        sum(pipeline_count) as pipeline_count,
        sum(pipeline_amount) as pipeline_amount,
        sum(weighted_pipeline_amount) as weighted_pipeline_amount,
        count(weighted_pipeline_amount) = count(*) as is_weighted_known,
        sum(closed_count) as closed_count,
        sum(won_count) as won_count,
        sum(won_amount) as won_amount
    from inputs
    where not is_all_segments
    group by quarter
),

all_segments as (
    select * from inputs
    where is_all_segments
),

all_rows as (
    select
        coalesce(all_segments.quarter, segment_sums.quarter) as quarter,
        'all segments row' as check_name
    from all_segments
    full outer join segment_sums on all_segments.quarter = segment_sums.quarter
    where
        all_segments.quarter is null
        or all_segments.pipeline_count != coalesce(segment_sums.pipeline_count, 0)
        or all_segments.pipeline_amount != coalesce(segment_sums.pipeline_amount, 0)
        or all_segments.closed_count != coalesce(segment_sums.closed_count, 0)
        or all_segments.won_count != coalesce(segment_sums.won_count, 0)
        or all_segments.won_amount != coalesce(segment_sums.won_amount, 0)
        or (
            segment_sums.is_weighted_known
            and abs(all_segments.weighted_pipeline_amount - segment_sums.weighted_pipeline_amount) > 0.05
        )
),

waterfall as (
    select
        segment,
        month,
        closing_count,
        closing_amount
    from {{ ref('pipeline_waterfall') }}
),

pipeline_rows as (
    select
        inputs.quarter,
        'waterfall pipeline' as check_name
    from inputs
    left join waterfall
        on
            inputs.segment = waterfall.segment
            and waterfall.month = cast({{ dbt.dateadd('month', -1, 'inputs.quarter') }} as date)
    where
        not inputs.is_all_segments
        and (
            inputs.pipeline_count != coalesce(waterfall.closing_count, 0)
            or inputs.pipeline_amount != coalesce(waterfall.closing_amount, 0)
        )
),

weighted_rows as (
    select
        quarter,
        'weighted above pipeline' as check_name
    from inputs
    where weighted_pipeline_amount > pipeline_amount
)

select * from all_rows
union all
select * from pipeline_rows
union all
select * from weighted_rows
