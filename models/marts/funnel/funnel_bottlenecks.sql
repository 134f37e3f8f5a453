-- Each funnel stage's conversion in a month against its own trailing baseline,
-- per segment, and the rank of its drop: rank 1 is the bottleneck of that
-- segment and month. "In a month" is a rolling window of
-- var('bottleneck_window_months') months ending in the month; the baseline is
-- the var('bottleneck_baseline_months') months before that window. Per pipeline
-- (sales process): rank 1 is the bottleneck of that pipeline, segment and month;
-- lead stages are in no sales process and rank in the default pipeline.
{%- set window_months = var('bottleneck_window_months') %}
{%- set baseline_months = var('bottleneck_baseline_months') %}

with exits as (
    select * from {{ ref('fct_stage_visits') }}
    where is_conversion_exit and pipeline_type in ('lead', 'new_business')
),

monthly as (
    select
        pipeline_id,
        segment,
        stage,
        min(stage_order) as stage_order,
        {{ business_month('exited_at') }} as month,
        count(*) as exits_count,
        sum(case when is_advanced then 1 else 0 end) as advanced_count
    from exits
    group by pipeline_id, segment, stage, {{ business_month('exited_at') }}
),

months as (
    {{ date_spine('month',
        "(select min(month) from monthly)",
        dbt.dateadd('month', 1, "(select max(month) from monthly)")) }}
),

stage_segments as (
    select distinct
        pipeline_id,
        segment,
        stage,
        stage_order
    from monthly
),

grid as (
    select
        stage_segments.pipeline_id,
        stage_segments.segment,
        stage_segments.stage,
        stage_segments.stage_order,
        months.date_month as month,
        coalesce(monthly.exits_count, 0) as exits_count,
        coalesce(monthly.advanced_count, 0) as advanced_count
    from stage_segments
    cross join months
    left join monthly
        on
            stage_segments.pipeline_id = monthly.pipeline_id
            and stage_segments.segment = monthly.segment
            and stage_segments.stage = monthly.stage
            and months.date_month = monthly.month
),

windowed as (
    select
        pipeline_id,
        segment,
        stage,
        stage_order,
        month,
        sum(exits_count) over (
            partition by pipeline_id, segment, stage order by month
            rows between {{ window_months - 1 }} preceding and current row
        ) as exits_count,
        sum(advanced_count) over (
            partition by pipeline_id, segment, stage order by month
            rows between {{ window_months - 1 }} preceding and current row
        ) as advanced_count,
        sum(exits_count) over (
            partition by pipeline_id, segment, stage order by month
            rows between {{ window_months + baseline_months - 1 }} preceding and {{ window_months }} preceding
        ) as baseline_exits_count,
        sum(advanced_count) over (
            partition by pipeline_id, segment, stage order by month
            rows between {{ window_months + baseline_months - 1 }} preceding and {{ window_months }} preceding
        ) as baseline_advanced_count
    from grid
),

rated as (
    select
        windowed.*,
        {{ safe_divide('advanced_count', 'exits_count') }} as conversion_rate,
        {{ safe_divide('baseline_advanced_count', 'baseline_exits_count') }} as baseline_conversion_rate,
        {{ safe_divide('advanced_count + baseline_advanced_count', 'exits_count + baseline_exits_count') }}
            as pooled_rate
    from windowed
),

tested as (
    select
        rated.*,
        rated.baseline_conversion_rate - rated.conversion_rate as conversion_drop,
        -- two-proportion z statistic of the drop (positive = worse than baseline)
        case
            when
                rated.pooled_rate > 0
                and rated.pooled_rate < 1
                and rated.exits_count > 0
                and rated.baseline_exits_count > 0
                then
                    (rated.baseline_conversion_rate - rated.conversion_rate)
                    / sqrt(
                        rated.pooled_rate
                        * (1 - rated.pooled_rate)
                        * (1.0 / rated.exits_count + 1.0 / rated.baseline_exits_count)
                    )
        end as drop_z_score
    from rated
),

final as (
    select
        pipeline_id,
        segment,
        stage,
        stage_order,
        cast(exits_count as {{ dbt.type_bigint() }}) as exits_count,
        cast(advanced_count as {{ dbt.type_bigint() }}) as advanced_count,
        cast(baseline_exits_count as {{ dbt.type_bigint() }}) as baseline_exits_count,
        cast(baseline_advanced_count as {{ dbt.type_bigint() }}) as baseline_advanced_count,
        conversion_rate,
        baseline_conversion_rate,
        conversion_drop,
        drop_z_score,
        coalesce(
            drop_z_score > 1.96
            and exits_count >= {{ var('bottleneck_min_exits') }}
            and baseline_exits_count >= {{ var('bottleneck_min_exits') }},
            false
        ) as is_drop_significant,
        -- clear drops first, then by how far conversion fell (stages with too few
        -- exits to judge come last)
        cast(row_number() over (
            partition by pipeline_id, segment, month
            order by
                case when exits_count >= {{ var('bottleneck_min_exits') }} then 0 else 1 end asc,
                coalesce(conversion_drop, -1) desc,
                stage_order asc
        ) as {{ dbt.type_bigint() }}) as bottleneck_rank,
        month
    from tested
    where baseline_exits_count > 0
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        final.*,
        {{ run_id() }} as run_id
    from final
)

select * from with_run_id
