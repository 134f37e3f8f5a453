{{ config(post_hook=[
    "{{ report_nearest_earlier_rates('quota_amount', 'rows_of_entity.quarter_start_date', 'quotas') }}",
]) }}

with quotas as (
    select * from {{ crm_ref('quotas') }}
),

final as (
    select
        quotas.user_id,
        quotas.currency,
        quotas.quota_amount,
        cast(quotas.quota_amount * rates.rate as decimal(18, 2)) as quota_amount_reporting,
        quotas.quarter_start_date
    from quotas
    {{ join_rate_on('rates', 'quotas.currency', 'quotas.quarter_start_date') }}
)

select * from final
