with staged as (
    select
        account_id,
        account_name,
        industry,
        country,
        segment_label,
        employee_count,
        created_at,
        modified_at
    from {{ ref('base_generic__accounts') }}
    where row_status = 'staged'
)

select * from staged
