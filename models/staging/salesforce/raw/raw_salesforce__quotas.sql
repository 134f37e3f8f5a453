-- Forecasting quotas in the generic layout (one row per owner and period start).
with quotas as (
    select * from {{ ref('sf_forecasting_quota') }}
),

translated as (
    select
        {{ sf_id('quota_owner_id') }} as user_id,
        start_date as quarter_start_date,
        quota_amount,
        currency_iso_code as currency,
        cast(null as {{ dbt.type_string() }}) as is_deleted,
        _source_row,
        _source_file
    from quotas
)

select * from translated
