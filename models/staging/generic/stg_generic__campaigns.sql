with staged as (
    select
        campaign_id,
        campaign_name,
        channel,
        currency,
        cost_amount,
        start_date,
        end_date
    from {{ ref('base_generic__campaigns') }}
    where row_status = 'staged'
)

select * from staged
