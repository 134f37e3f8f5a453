with accounts as (
    select * from {{ crm_ref('accounts') }}
),

final as (
    select
        account_id,
        account_name,
        industry,
        country,
        coalesce(
            segment_label,
            case
                when employee_count < 100 then 'smb'
                when employee_count < 1000 then 'mid_market'
                when employee_count >= 1000 then 'enterprise'
            end
        ) as segment,
        employee_count,
        created_at
    from accounts
)

select * from final
