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
        "(select min(cast(created_at as date)) from " ~ ref('stg_crm__opportunities') ~ ")",
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

-- open visits, still open ones until far in the future: two plain inequalities
-- let the join with the days run as a range join, not a filtered cross join
open_intervals as (
    select
        intervals.entity_id,
        intervals.stage,
        intervals.entered_at,
        coalesce(intervals.exited_at, cast('9999-12-31' as {{ dbt.type_timestamp() }})) as open_until
    from intervals
    {%- if is_incremental() %}
    inner join touched on intervals.entity_id = touched.opportunity_id
    {%- endif %}
    where not intervals.is_won_stage and not intervals.is_lost_stage
),

open_days as (
    select
        intervals.entity_id as opportunity_id,
        intervals.stage,
        days.date_day as pipeline_date,
        {{ dbt.dateadd('day', 1, 'days.date_day') }} as day_end
    from open_intervals as intervals
    inner join days
        on
            intervals.entered_at < {{ dbt.dateadd('day', 1, 'days.date_day') }}
            and intervals.open_until >= {{ dbt.dateadd('day', 1, 'days.date_day') }}
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

{%- set fields = ['amount', 'close_date', 'owner_id', 'forecast_category'] %}

with_values as (
    select
        open_days.opportunity_id,
        open_days.stage,
        open_days.pipeline_date,
        {%- for field in fields %}
            {{ field }}_values.field_value as {{ field }}_text{% if not loop.last %},{% endif %}
        {%- endfor %}
    from
        open_days
    {%- for field in fields %}
        left join field_values as {{ field }}_values
            on
                open_days.opportunity_id = {{ field }}_values.opportunity_id
                and {{ field }}_values.field = '{{ field }}'
                and {{ field }}_values.valid_from < open_days.day_end
                and ({{ field }}_values.valid_to >= open_days.day_end or {{ field }}_values.valid_to is null)
    {%- endfor %}
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
