-- One row per logged activity: who did it, on which lead or deal, its type and
-- whether the activity KPIs count it (calls, emails and meetings; not `other`).
{{ after_quarantine_gate() }}
with activities as (
    select * from {{ ref('stg_crm__activities') }}
),

final as (
    select
        activity_id,
        owner_id,
        lead_id,
        opportunity_id,
        account_id,
        activity_type,
        outcome,
        duration_seconds,
        {{ is_kpi_activity('activity_type') }} as is_kpi_activity,
        is_type_defaulted,
        occurred_at
    from activities
)

select * from final
