with staged as (
    select
        lead_id,
        account_id,
        campaign_id,
        owner_id,
        converted_opportunity_id,
        channel,
        status,
        disqualified_reason,
        contact_name_hash,
        email_hash,
        phone_hash,
        fit_score,
        has_budget,
        has_authority,
        has_need,
        has_timeline,
        created_at,
        converted_at,
        modified_at
    from {{ ref('base_generic__leads') }}
    where row_status = 'staged'
)

select * from staged
