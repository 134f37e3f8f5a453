-- says once per build how many deals had no currency and which one they took
{{ config(post_hook=[
    "{{ report_defaulted_currency() }}",
    "{{ report_nearest_earlier_rates('amount', 'coalesce(rows_of_entity.close_date, cast(rows_of_entity.created_at as date))', 'opportunities') }}",
]) }}

with opportunities as (
    select * from {{ crm_ref('opportunities') }}
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.lead_id,
        opportunities.created_by_id,
        opportunities.owner_id,
        opportunities.pipeline_id,
        opportunities.opportunity_type,
        opportunities.stage,
        opportunities.stage_label,
        opportunities.currency,
        -- the export gave no currency: the corporate (else the reporting) currency
        opportunities.is_currency_defaulted,
        opportunities.lost_reason,
        opportunities.competitor,
        opportunities.forecast_category,
        opportunities.handoff_note,
        opportunities.amount,
        -- booked at the rate of the close date (the creation date while none is set)
        cast(opportunities.amount * rates.rate as decimal(18, 2)) as amount_reporting,
        opportunities.is_closed,
        opportunities.is_won,
        -- the export gave no type: opportunity_type is var('default_opportunity_type')
        opportunities.is_type_defaulted,
        opportunities.has_budget,
        opportunities.has_authority,
        opportunities.has_need,
        opportunities.has_timeline,
        opportunities.close_date,
        opportunities.created_at,
        -- versions without a modified time count as of their creation
        coalesce(opportunities.modified_at, opportunities.created_at) as modified_at
    from opportunities
    {{ join_rate_on('rates', 'opportunities.currency',
        'coalesce(opportunities.close_date, cast(opportunities.created_at as date))') }}
)

select * from final
