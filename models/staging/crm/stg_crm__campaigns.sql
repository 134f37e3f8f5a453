{{ config(post_hook="{{ report_nearest_earlier_rates('cost_amount', 'rows_of_entity.start_date', 'campaigns') }}") }}

with campaigns as (
    select * from {{ crm_ref('campaigns') }}
),

final as (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.owner_id,
        campaigns.channel,
        campaigns.currency,
        campaigns.cost_amount,
        cast(campaigns.cost_amount * rates.rate as decimal(18, 2)) as cost_amount_reporting,
        campaigns.start_date,
        campaigns.end_date
    from campaigns
    {{ join_rate_on('rates', 'campaigns.currency', 'campaigns.start_date') }}
)

select * from final
