-- One row per lead: when it was created and when it became an opportunity, for the
-- semantic layer's lead -> opportunity conversion (by channel, segment and owner).
with journeys as (
    select * from {{ ref('int_lead_journeys') }}
),

final as (
    select
        lead_id,
        converted_opportunity_id as opportunity_id,
        owner_id,
        channel,
        segment,
        created_at,
        converted_at
    from journeys
)

select * from final
