with staged as (
    select
        opportunity_id,
        account_id,
        lead_id,
        created_by_id,
        owner_id,
        opportunity_type,
        stage,
        stage_label,
        currency,
        lost_reason,
        competitor,
        forecast_category,
        handoff_note,
        amount,
        is_closed,
        is_won,
        has_budget,
        has_authority,
        has_need,
        has_timeline,
        close_date,
        created_at,
        modified_at
    from {{ ref('base_generic__opportunities') }}
    where row_status = 'staged'
)

select * from staged
