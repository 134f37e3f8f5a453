-- One row per new-business opportunity with its hand-off milestones: created (the
-- SDR's hand-off), accepted by an AE, closed, and won.
with journeys as (
    select * from {{ ref('int_opportunity_journeys') }}
    where opportunity_type = 'new_business'
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

final as (
    select
        journeys.opportunity_id,
        journeys.lead_id,
        journeys.sdr_id,
        journeys.closing_ae_id,
        journeys.segment,
        opportunities.amount_reporting,
        journeys.is_closed,
        journeys.is_won,
        journeys.created_at,
        journeys.accepted_at,
        journeys.closed_at,
        case when journeys.is_won then journeys.closed_at end as won_at
    from journeys
    inner join opportunities on journeys.opportunity_id = opportunities.opportunity_id
)

select * from final
