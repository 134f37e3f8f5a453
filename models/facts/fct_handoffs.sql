-- One row per hand-off: an opportunity handed from the person who created it
-- to another owner, or created by someone in the inside-sales role. A deal an
-- AE created for themselves is no hand-off, so it never counts for or against
-- hand-off acceptance. Accepted: it reached the accepted milestone (at its
-- creation when created at a later stage); rejected: lost without being accepted.
with opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where is_handed_off
),

final as (
    select
        opportunity_id,
        lead_id,
        created_by_id as sdr_id,
        owner_at_creation_id as receiving_owner_id,
        opportunity_type,
        segment,
        reporting_currency,
        (
            case when has_budget then 1 else 0 end
            + case when has_authority then 1 else 0 end
            + case when has_need then 1 else 0 end
            + case when has_timeline then 1 else 0 end
        ) / 4.0 as qualification_completeness,
        amount_at_creation_reporting,
        won_amount_reporting,
        is_accepted,
        not is_accepted and is_lost as is_rejected,
        is_won,
        entered_at_later_stage,
        created_at as handed_off_at,
        accepted_at
    from opportunities
)

select * from final
