-- Open new-business pipeline per month and segment as a waterfall that
-- balances: opening + created + reopened - won - lost + amount_changed
-- + amount_appeared - amount_vanished = closing, and the closing of a month is
-- the opening of the next. Built from the daily pipeline (each deal's state at
-- the end of each day): a deal enters when it is open at the end of a day and was
-- not the day before, leaves when the reverse happens, and every day it stays its
-- change in value is amount_changed, or amount_appeared / amount_vanished when
-- its amount was set from none or removed (a deal without an amount still counts).
with pipeline as (
    select * from {{ ref('int_pipeline_daily') }}
    where opportunity_type = 'new_business'
),

intervals as (
    select * from {{ ref('int_stage_intervals_reconstructed') }}
    where entity_type = 'opportunity' and not is_skipped
),

close_date_changes as (
    select * from {{ ref('int_close_date_changes') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

sequenced as (
    select
        opportunity_id,
        segment,
        pipeline_date,
        amount_reporting,
        lag(pipeline_date) over opportunity_days as previous_date,
        lag(amount_reporting) over opportunity_days as previous_amount_reporting,
        lead(pipeline_date) over opportunity_days as next_date
    from pipeline
    window opportunity_days as (partition by opportunity_id order by pipeline_date)
),

-- a day the deal is open after a day it was not: created the first time, reopened after
entries as (
    select
        segment,
        cast({{ dbt.date_trunc('month', 'pipeline_date') }} as date) as month,
        case when previous_date is null then 'created' else 'reopened' end as movement,
        amount_reporting as movement_amount
    from sequenced
    where previous_date is null or previous_date < {{ dbt.dateadd('day', -1, 'pipeline_date') }}
),

-- the next day the deal is no longer open (never past the as-of day)
leavings as (
    select
        sequenced.opportunity_id,
        sequenced.segment,
        cast({{ dbt.dateadd('day', 1, 'sequenced.pipeline_date') }} as date) as left_date,
        sequenced.amount_reporting
    from sequenced
    cross join as_of
    where
        (sequenced.next_date is null or sequenced.next_date > {{ dbt.dateadd('day', 1, 'sequenced.pipeline_date') }})
        and sequenced.pipeline_date < as_of.as_of_date
),

-- won when the deal ended that day in a won stage, lost otherwise
exits as (
    select
        leavings.segment,
        cast({{ dbt.date_trunc('month', 'leavings.left_date') }} as date) as month,
        case when max(case when intervals.is_won_stage then 1 else 0 end) = 1 then 'won' else 'lost' end as movement,
        leavings.amount_reporting as movement_amount
    from leavings
    left join intervals
        on
            leavings.opportunity_id = intervals.entity_id
            and intervals.entered_at < {{ dbt.dateadd('day', 1, 'leavings.left_date') }}
            and (
                intervals.exited_at >= {{ dbt.dateadd('day', 1, 'leavings.left_date') }}
                or intervals.exited_at is null
            )
    group by leavings.opportunity_id, leavings.segment, leavings.left_date, leavings.amount_reporting
),

-- value change of a deal open on two consecutive days: amount edits and exchange
-- rates (amount_changed, signed), an amount set on a deal that had none
-- (amount_appeared, the new amount) or removed from it (amount_vanished, the old one)
amount_changes as (
    select
        segment,
        cast({{ dbt.date_trunc('month', 'pipeline_date') }} as date) as month,
        case
            when previous_amount_reporting is null then 'amount_appeared'
            when amount_reporting is null then 'amount_vanished'
            else 'amount_changed'
        end as movement,
        case
            when previous_amount_reporting is null then amount_reporting
            when amount_reporting is null then previous_amount_reporting
            else amount_reporting - previous_amount_reporting
        end as movement_amount
    from sequenced
    where
        previous_date = {{ dbt.dateadd('day', -1, 'pipeline_date') }}
        and (
            amount_reporting != previous_amount_reporting
            or (amount_reporting is null and previous_amount_reporting is not null)
            or (amount_reporting is not null and previous_amount_reporting is null)
        )
),

movements as (
    select * from entries
    union all
    select * from exits
    union all
    select * from amount_changes
),

movement_totals as (
    select
        segment,
        month,
        {%- for movement in ['created', 'reopened', 'won', 'lost'] %}
            sum(case when movement = '{{ movement }}' then 1 else 0 end) as {{ movement }}_count,
            sum(case when movement = '{{ movement }}' then movement_amount else 0 end) as {{ movement }}_amount,
        {%- endfor %}
        {%- for movement in ['amount_changed', 'amount_appeared', 'amount_vanished'] %}
            sum(case when movement = '{{ movement }}' then movement_amount else 0 end)
                as {{ movement }}_amount{% if not loop.last %},{% endif %}
        {%- endfor %}
    from movements
    group by segment, month
),

-- open at the end of each month (at the as-of day in the last month)
month_ends as (
    select
        pipeline.segment,
        cast({{ dbt.date_trunc('month', 'pipeline.pipeline_date') }} as date) as month,
        count(*) as closing_count,
        sum(pipeline.amount_reporting) as closing_amount
    from pipeline
    cross join as_of
    where
        pipeline.pipeline_date = least(
            cast({{ month_end_date('pipeline.pipeline_date') }} as date),
            as_of.as_of_date
        )
    group by pipeline.segment, cast({{ dbt.date_trunc('month', 'pipeline.pipeline_date') }} as date)
),

-- the expected close of a deal open the day before moved out of the month (pushed out)
-- or into it from a later month (pulled in, often by closing early): not flows of the
-- waterfall, which counts the deal where it goes (still open, won or lost)
close_date_moves as (
    select
        pipeline.segment,
        {{ business_month('close_date_changes.changed_at') }} as month,
        close_date_changes.opportunity_id,
        case
            when close_date_changes.direction = 'pushed_out' then 'pushed_out' else 'pulled_in'
        end as movement,
        pipeline.amount_reporting,
        row_number() over (
            partition by
                close_date_changes.opportunity_id,
                close_date_changes.direction,
                {{ business_month('close_date_changes.changed_at') }}
            order by close_date_changes.changed_at desc
        ) as recency
    from close_date_changes
    inner join pipeline
        on
            close_date_changes.opportunity_id = pipeline.opportunity_id
            and {{ dbt.dateadd('day', -1, business_date('close_date_changes.changed_at')) }} = pipeline.pipeline_date
    where
        (
            close_date_changes.direction = 'pushed_out'
            and {{ dbt.date_trunc('month', 'close_date_changes.old_close_date') }}
            = {{ business_month('close_date_changes.changed_at') }}
            and {{ dbt.date_trunc('month', 'close_date_changes.new_close_date') }}
            > {{ business_month('close_date_changes.changed_at') }}
        )
        or (
            close_date_changes.direction = 'pulled_in'
            and {{ dbt.date_trunc('month', 'close_date_changes.old_close_date') }}
            > {{ business_month('close_date_changes.changed_at') }}
            and {{ dbt.date_trunc('month', 'close_date_changes.new_close_date') }}
            <= {{ business_month('close_date_changes.changed_at') }}
        )
),

close_date_move_totals as (
    select
        segment,
        month,
        sum(case when movement = 'pushed_out' then 1 else 0 end) as pushed_out_count,
        sum(case when movement = 'pushed_out' then amount_reporting else 0 end) as pushed_out_amount,
        sum(case when movement = 'pulled_in' then 1 else 0 end) as pulled_in_count,
        sum(case when movement = 'pulled_in' then amount_reporting else 0 end) as pulled_in_amount
    from close_date_moves
    where recency = 1
    group by segment, month
),

months as (
    {{ date_spine('month',
        "(select min(" ~ dbt.date_trunc('month', 'pipeline_date') ~ ") from " ~ ref('int_pipeline_daily') ~ ")",
        dbt.dateadd('month', 1, "(select " ~ dbt.date_trunc('month', 'as_of_date') ~ " from " ~ ref('int_as_of_date') ~ ")")) }}
),

segments as (
    select distinct segment from pipeline
),

grid as (
    select
        segments.segment,
        months.date_month as month,
        coalesce(month_ends.closing_count, 0) as closing_count,
        coalesce(month_ends.closing_amount, 0) as closing_amount,
        {%- for movement in ['created', 'reopened', 'won', 'lost'] %}
            coalesce(movement_totals.{{ movement }}_count, 0) as {{ movement }}_count,
            coalesce(movement_totals.{{ movement }}_amount, 0) as {{ movement }}_amount,
        {%- endfor %}
        coalesce(movement_totals.amount_changed_amount, 0) as amount_changed_amount,
        coalesce(movement_totals.amount_appeared_amount, 0) as amount_appeared_amount,
        coalesce(movement_totals.amount_vanished_amount, 0) as amount_vanished_amount,
        coalesce(close_date_move_totals.pushed_out_count, 0) as pushed_out_count,
        coalesce(close_date_move_totals.pushed_out_amount, 0) as pushed_out_amount,
        coalesce(close_date_move_totals.pulled_in_count, 0) as pulled_in_count,
        coalesce(close_date_move_totals.pulled_in_amount, 0) as pulled_in_amount
    from segments
    cross join months
    left join month_ends on segments.segment = month_ends.segment and months.date_month = month_ends.month
    left join movement_totals
        on segments.segment = movement_totals.segment and months.date_month = movement_totals.month
    left join close_date_move_totals
        on segments.segment = close_date_move_totals.segment and months.date_month = close_date_move_totals.month
),

with_opening as (
    select
        grid.*,
        coalesce(lag(grid.closing_count) over segment_months, 0) as opening_count,
        coalesce(lag(grid.closing_amount) over segment_months, 0) as opening_amount
    from grid
    window segment_months as (partition by grid.segment order by grid.month)
),

final as (
    select
        segment,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(opening_count as {{ dbt.type_bigint() }}) as opening_count,
        cast(created_count as {{ dbt.type_bigint() }}) as created_count,
        cast(reopened_count as {{ dbt.type_bigint() }}) as reopened_count,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(lost_count as {{ dbt.type_bigint() }}) as lost_count,
        cast(closing_count as {{ dbt.type_bigint() }}) as closing_count,
        cast(pushed_out_count as {{ dbt.type_bigint() }}) as pushed_out_count,
        cast(pulled_in_count as {{ dbt.type_bigint() }}) as pulled_in_count,
        cast(opening_amount as decimal(18, 2)) as opening_amount,
        cast(created_amount as decimal(18, 2)) as created_amount,
        cast(reopened_amount as decimal(18, 2)) as reopened_amount,
        cast(won_amount as decimal(18, 2)) as won_amount,
        cast(lost_amount as decimal(18, 2)) as lost_amount,
        cast(amount_changed_amount as decimal(18, 2)) as amount_changed_amount,
        cast(amount_appeared_amount as decimal(18, 2)) as amount_appeared_amount,
        cast(amount_vanished_amount as decimal(18, 2)) as amount_vanished_amount,
        cast(closing_amount as decimal(18, 2)) as closing_amount,
        cast(pushed_out_amount as decimal(18, 2)) as pushed_out_amount,
        cast(pulled_in_amount as decimal(18, 2)) as pulled_in_amount,
        month
    from with_opening
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        final.*,
        {{ run_id() }} as run_id
    from final
)

select * from with_run_id
