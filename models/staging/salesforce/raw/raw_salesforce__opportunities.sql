-- Opportunities in the generic layout. The lead is the one converted into the
-- opportunity; Type and the forecast category become the generic codes; loss
-- reason, competitor, hand-off note and qualification flags are the demo org's
-- custom fields. A deal the connector's history mode shows deleted is marked
-- is_deleted = 'deleted_in_source', so quarantine names why it is left out.
with opportunities as (
    select * from {{ ref('sf_opportunity') }}
),

-- deleted in the source, as the connector's history-mode versions show it
deleted_in_source as (
    select distinct opportunity_id as opportunity_key
    from {{ ref('raw_salesforce__opportunity_changes') }}
    where is_deleted = 'deleted_in_source'
),

converted_leads as (
    select
        {{ sf_id('converted_opportunity_id') }} as opportunity_key,
        min({{ sf_id('id') }}) as lead_id
    from {{ ref('sf_lead') }}
    where {{ sf_id('converted_opportunity_id') }} is not null
    group by 1
),

translated as (
    select
        {{ sf_id('opportunities.id') }} as opportunity_id,
        {{ sf_id('opportunities.account_id') }} as account_id,
        converted_leads.lead_id,
        case
            when lower(trim(opportunities.type)) in ('new customer', 'new business') then 'new_business'
            when lower(trim(opportunities.type)) like 'existing%' then 'expansion'
            else lower(replace(trim(opportunities.type), ' ', '_'))
        end as opportunity_type,
        opportunities.created_date as created_at,
        {{ sf_id('opportunities.created_by_id') }} as created_by_id,
        {{ sf_id('opportunities.owner_id') }} as owner_id,
        opportunities.stage_name as stage,
        opportunities.amount,
        opportunities.currency_iso_code as currency,
        opportunities.close_date,
        opportunities.is_closed,
        opportunities.is_won,
        lower(replace(trim(opportunities.loss_reason_c), ' ', '_')) as lost_reason,
        opportunities.main_competitor_c as competitor,
        {{ sf_forecast_category('coalesce(opportunities.forecast_category_name, opportunities.forecast_category)') }}
            as forecast_category,
        opportunities.handoff_note_c as handoff_note,
        opportunities.budget_confirmed_c as has_budget,
        opportunities.authority_confirmed_c as has_authority,
        opportunities.need_confirmed_c as has_need,
        opportunities.timeline_confirmed_c as has_timeline,
        coalesce(opportunities.last_modified_date, opportunities._fivetran_synced) as modified_at,
        -- the record type is the deal's sales process (pipeline)
        {{ sf_id('opportunities.record_type_id') }} as pipeline_id,
        case
            when
                deleted_in_source.opportunity_key is not null
                and not coalesce({{ parse_boolean('opportunities.is_deleted') }}, false)
                then 'deleted_in_source'
            else opportunities.is_deleted
        end as is_deleted,
        opportunities._source_row,
        opportunities._source_file
    from opportunities
    left join converted_leads
        on {{ sf_id('opportunities.id') }} = converted_leads.opportunity_key
    left join deleted_in_source
        on {{ sf_id('opportunities.id') }} = deleted_in_source.opportunity_key
)

select * from translated
