-- Exactly one daily-pipeline row for every day an opportunity ended open, and
-- none for any other day: recomputed from the stage intervals, both ways. Days
-- end at midnight in the business time zone.
with intervals as (
    select * from {{ ref('int_stage_intervals_reconstructed') }}
    where entity_type = 'opportunity' and not is_skipped and not is_won_stage and not is_lost_stage
),

pipeline as (
    select * from {{ ref('int_pipeline_daily') }}
),

days as (
    select distinct pipeline_date from pipeline
),

expected as (
    select distinct
        intervals.entity_id as opportunity_id,
        days.pipeline_date
    from intervals
    inner join days
        on
            {{ business_time('intervals.entered_at') }} < {{ dbt.dateadd('day', 1, 'days.pipeline_date') }}
            and (
                {{ business_time('intervals.exited_at') }} >= {{ dbt.dateadd('day', 1, 'days.pipeline_date') }}
                or intervals.exited_at is null
            )
),

actual as (
    select
        opportunity_id,
        pipeline_date,
        count(*) as row_count
    from pipeline
    group by opportunity_id, pipeline_date
),

mismatches as (
    select
        coalesce(expected.opportunity_id, actual.opportunity_id) as opportunity_id,
        coalesce(expected.pipeline_date, actual.pipeline_date) as pipeline_date,
        coalesce(actual.row_count, 0) as row_count
    from expected
    full outer join actual
        on
            expected.opportunity_id = actual.opportunity_id
            and expected.pipeline_date = actual.pipeline_date
    where expected.opportunity_id is null or actual.opportunity_id is null or actual.row_count != 1
)

select * from mismatches
