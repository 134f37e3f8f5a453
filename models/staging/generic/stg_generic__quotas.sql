with staged as (
    select
        user_id,
        currency,
        quota_amount,
        quarter_start_date
    from {{ ref('base_generic__quotas') }}
    where row_status = 'staged'
)

select * from staged
