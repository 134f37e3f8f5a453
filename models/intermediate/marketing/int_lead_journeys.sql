-- One row per lead with the first time it reached each lead milestone,
-- from the status history (falling back to the lead row where a CRM keeps none).
-- A conversion after the as-of moment has not happened yet.
{{ after_quarantine_gate() }}
with leads as (
    select * from {{ ref('stg_crm__leads') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

events as (
    select * from {{ ref('stg_crm__lead_status_events') }}
),

campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

first_reached as (
    select
        lead_id,
        min(case when to_status = 'mql' then changed_at end) as mql_at,
        min(case when to_status = 'sdr_working' then changed_at end) as sdr_working_at,
        min(case when to_status = 'opportunity_created' then changed_at end) as converted_event_at,
        min(case when to_status = 'disqualified' then changed_at end) as disqualified_at
    from events
    group by lead_id
),

final as (
    select
        leads.lead_id,
        leads.account_id,
        leads.campaign_id,
        -- the marketer of the lead's campaign
        campaigns.owner_id as marketer_id,
        leads.owner_id,
        case
            when coalesce(first_reached.converted_event_at, leads.converted_at) <= as_of.as_of_at
                then leads.converted_opportunity_id
        end as converted_opportunity_id,
        coalesce(leads.channel, 'unknown') as channel,
        coalesce(accounts.segment, 'unknown') as segment,
        leads.status,
        leads.created_at,
        first_reached.mql_at,
        first_reached.sdr_working_at,
        case
            when coalesce(first_reached.converted_event_at, leads.converted_at) <= as_of.as_of_at
                then coalesce(first_reached.converted_event_at, leads.converted_at)
        end as converted_at,
        first_reached.disqualified_at
    from leads
    cross join as_of
    left join accounts on leads.account_id = accounts.account_id
    left join campaigns on leads.campaign_id = campaigns.campaign_id
    left join first_reached on leads.lead_id = first_reached.lead_id
)

select * from final
