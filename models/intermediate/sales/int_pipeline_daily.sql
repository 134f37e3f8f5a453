{{ after_quarantine_gate() }}
{#- Spark: rebuilt in full each run (without Delta Lake there is no merge on the key). -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='opportunity_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}{{ delete_stale_pipeline_days() }}{% endif %}",
) }}
-- One row per open opportunity per day (its state at the end of the day):
-- stage, owner, amount, close date, forecast category. Incremental, per
-- opportunity: a run rebuilds every day of each deal open since the last day
-- built less var('pipeline_lookback_days'), or with a change since then, so
-- history that arrives a few days late is picked up even where it rewrites
-- earlier days (a late first change of a field sets its value before it). The
-- pre-hook drops days after an as-of moment that moved back and deals no
-- longer open on any day. Older
-- corrections, account or rate changes need --full-refresh.
with intervals as (
    select * from {{ ref('int_stage_intervals_reconstructed') }}
    where entity_type = 'opportunity' and not is_skipped
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

field_values as (
    select * from {{ ref('int_opportunity_field_values_historized') }}
),

-- read by incremental runs only
opportunity_changes as (  -- noqa: ST03
    select * from {{ ref('stg_crm__opportunity_changes') }}
),

days as (
    {{ date_spine('day',
        "(select min(" ~ business_date('created_at') ~ ") from " ~ ref('stg_crm__opportunities') ~ ")",
        dbt.dateadd('day', 1, "(select as_of_date from " ~ ref('int_as_of_date') ~ ")")) }}
),

{%- if is_incremental() %}

window_start as (
    select
        {{ dbt.dateadd('day', -var('pipeline_lookback_days'),
            "coalesce(max(pipeline_date), cast('1900-01-01' as date))") }} as start_date
    from {{ this }}
),

touched as (
    select intervals.entity_id as opportunity_id
    from intervals
    inner join window_start
        on intervals.exited_at is null or intervals.exited_at >= window_start.start_date
    where not intervals.is_won_stage and not intervals.is_lost_stage
    union
    select opportunity_changes.opportunity_id
    from opportunity_changes
    inner join window_start on opportunity_changes.changed_at >= window_start.start_date
    union
    select opportunities.opportunity_id
    from opportunities
    inner join window_start on opportunities.modified_at >= window_start.start_date
),
{%- endif %}

-- Each open visit and each field value as the days whose end it covers,
-- [from_day, to_day): a value held at midnight after day d is one set before
-- that midnight and not replaced before it, so its days run from the date it
-- was set to the date it was replaced. Values replaced the same day cover none.
{%- set fields = ['amount', 'close_date', 'owner_id', 'forecast_category'] %}
day_ranges as (
    select
        intervals.entity_id as opportunity_id,
        'stage' as field,
        intervals.stage as field_value,
        {{ business_date('intervals.entered_at') }} as from_day,
        coalesce({{ business_date('intervals.exited_at') }}, cast('9999-12-31' as date)) as to_day
    from intervals
    {%- if is_incremental() %}
    inner join touched on intervals.entity_id = touched.opportunity_id
    {%- endif %}
    where not intervals.is_won_stage and not intervals.is_lost_stage
    union all
    select
        field_values.opportunity_id,
        field_values.field,
        field_values.field_value,
        {{ business_date('field_values.valid_from') }} as from_day,
        coalesce({{ business_date('field_values.valid_to') }}, cast('9999-12-31' as date)) as to_day
    from field_values
    {%- if is_incremental() %}
    inner join touched on field_values.opportunity_id = touched.opportunity_id
    {%- endif %}
    where field_values.field in ('{{ fields | join("', '") }}')
),

covering_ranges as (
    select * from day_ranges
    where from_day < to_day
),

-- the days on which anything about a deal changed split its life into
-- segments over which nothing changes: the state is looked up once per
-- segment, not once per day (four range joins per day ran out of memory)
change_days as (
    select
        opportunity_id,
        from_day as segment_start
    from covering_ranges
    union
    select
        opportunity_id,
        to_day as segment_start
    from covering_ranges
),

segments as (
    select
        opportunity_id,
        segment_start,
        lead(segment_start) over (
            partition by opportunity_id order by segment_start
        ) as segment_end
    from change_days
),

segment_states as (
    select
        segments.opportunity_id,
        segments.segment_start,
        segments.segment_end,
        max(case when covering_ranges.field = 'stage' then covering_ranges.field_value end) as stage,
        {%- for field in fields %}
            max(case when covering_ranges.field = '{{ field }}' then covering_ranges.field_value end)
                as {{ field }}_text{% if not loop.last %},{% endif %}
        {%- endfor %}
    from segments
    inner join covering_ranges
        on
            segments.opportunity_id = covering_ranges.opportunity_id
            and segments.segment_start >= covering_ranges.from_day
            and segments.segment_start < covering_ranges.to_day
    group by segments.opportunity_id, segments.segment_start, segments.segment_end
),

-- open segments only, spread over their days: one range join with the days
with_values as (
    select
        segment_states.opportunity_id,
        segment_states.stage,
        days.date_day as pipeline_date,
        {%- for field in fields %}
            segment_states.{{ field }}_text{% if not loop.last %},{% endif %}
        {%- endfor %}
    from segment_states
    inner join days
        on
            segment_states.segment_start <= days.date_day
            and segment_states.segment_end > days.date_day
    where segment_states.stage is not null
),

-- the rate of each currency on each day: joined on equality below (a range join
-- per pipeline row compared each row with every rate of its currency)
daily_rates as (
    select
        days.date_day,
        rates.currency,
        rates.rate
    from days
    inner join {{ ref('stg_crm__exchange_rates') }} as rates
        on
            days.date_day >= rates.rate_date
            and (days.date_day < rates.valid_to_date or rates.valid_to_date is null)
),

final as (
    select
        with_values.opportunity_id,
        with_values.owner_id_text as owner_id,
        opportunities.opportunity_type,
        coalesce(accounts.segment, 'unknown') as segment,
        with_values.stage,
        with_values.forecast_category_text as forecast_category,
        opportunities.currency,
        cast(with_values.amount_text as decimal(18, 2)) as amount,
        cast(cast(with_values.amount_text as decimal(18, 2)) * rates.rate as decimal(18, 2)) as amount_reporting,
        cast(with_values.close_date_text as date) as close_date,
        with_values.pipeline_date
    from with_values
    inner join opportunities on with_values.opportunity_id = opportunities.opportunity_id
    left join accounts on opportunities.account_id = accounts.account_id
    left join daily_rates as rates
        on
            opportunities.currency = rates.currency
            and with_values.pipeline_date = rates.date_day
)

select * from final
