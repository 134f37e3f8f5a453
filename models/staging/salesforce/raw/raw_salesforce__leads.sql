-- Leads in the generic layout. LeadSource is the channel; the account is the
-- demo org's Account__c, or the account the lead converted into.
with leads as (
    select * from {{ ref('sf_lead') }}
),

translated as (
    select
        {{ sf_id('id') }} as lead_id,
        created_date as created_at,
        coalesce({{ sf_id('account_c') }}, {{ sf_id('converted_account_id') }}) as account_id,
        lower(replace(trim(lead_source), ' ', '_')) as channel,
        {{ sf_id('campaign_c') }} as campaign_id,
        {{ sf_id('owner_id') }} as owner_id,
        status,
        converted_date as converted_at,
        {{ sf_id('converted_opportunity_id') }} as converted_opportunity_id,
        disqualified_reason_c as disqualified_reason,
        budget_confirmed_c as has_budget,
        authority_confirmed_c as has_authority,
        need_confirmed_c as has_need,
        timeline_confirmed_c as has_timeline,
        fit_score_c as fit_score,
        name as contact_name,
        email,
        phone,
        coalesce(last_modified_date, _fivetran_synced) as modified_at,
        is_deleted,
        _source_row,
        _source_file
    from leads
)

select * from translated
