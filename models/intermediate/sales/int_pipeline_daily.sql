{#- Spark: rebuilt in full each run (without Delta Lake there is no merge on the key). -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='delete+insert',
    unique_key='pipeline_date',
    on_schema_change='fail',
) }}
-- One row per open opportunity per day (its state at the end of the day):
-- stage, owner, amount, close date, forecast category. Incremental: a run
-- replaces the last var('pipeline_lookback_days') days whole and adds new
-- ones, so history that arrives a few days late is still picked up and a deal
-- that closed later on a partly built as-of day loses its row; older
-- corrections need --full-refresh.
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

days as (
    {{ date_spine('day',
        "(select min(cast(created_at as date)) from " ~ ref('stg_crm__opportunities') ~ ")",
        dbt.dateadd('day', 1, "(select as_of_date from " ~ ref('int_as_of_date') ~ ")")) }}
),

days_to_build as (
    select date_day as pipeline_date
    from days
    {%- if is_incremental() %}
    where date_day > (
        select {{ dbt.dateadd('day', -var('pipeline_lookback_days'), 'max(pipeline_date)') }}
        from {{ this }}
    )
    {%- endif %}
),

open_days as (
    select
        intervals.entity_id as opportunity_id,
        intervals.stage,
        days_to_build.pipeline_date,
        {{ dbt.dateadd('day', 1, 'days_to_build.pipeline_date') }} as day_end
    from intervals
    inner join days_to_build
        on
            intervals.entered_at < {{ dbt.dateadd('day', 1, 'days_to_build.pipeline_date') }}
            and (
                intervals.exited_at >= {{ dbt.dateadd('day', 1, 'days_to_build.pipeline_date') }}
                or intervals.exited_at is null
            )
    where not intervals.is_won_stage and not intervals.is_lost_stage
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
    {{ join_rate_on('rates', 'opportunities.currency', 'with_values.pipeline_date') }}
)

select * from final
