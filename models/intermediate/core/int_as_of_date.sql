-- "Now" for every figure that depends on it: var('as_of_date') when set,
-- otherwise the latest event in the data. Never the wall clock.
{{ after_quarantine_gate() }}
with latest_events as (
    select max(created_at) as event_at from {{ ref('stg_crm__leads') }}
    union all
    select max(changed_at) as event_at from {{ ref('stg_crm__lead_status_events') }}
    union all
    select max(modified_at) as event_at from {{ ref('stg_crm__opportunities') }}
    union all
    select max(changed_at) as event_at from {{ ref('stg_crm__opportunity_changes') }}
    union all
    select max(occurred_at) as event_at from {{ ref('stg_crm__activities') }}
),

final as (
    select coalesce({{ as_of_literal() }}, max(event_at)) as as_of_at
    from latest_events
)

select
    as_of_at,
    -- the business day of the as-of moment; a set as_of_date is that day as written
    coalesce(cast({{ as_of_literal() }} as date), {{ business_date('as_of_at') }}) as as_of_date
from final
