-- Lead status history in the generic layout, from LeadHistory. The `created`
-- row carries no value: the status at creation is the old value of the first
-- status change, or today's status when it never changed. Rows for other
-- fields are kept and land in quarantine (unknown_status_label) with their field.
with history as (
    select
        *,
        {{ sf_id('lead_id') }} as lead_key,
        lower(trim(field)) as field_key,
        {{ parse_timestamp('created_date') }} as changed
    from {{ ref('sf_lead_history') }}
),

leads as (
    select
        {{ sf_id('id') }} as lead_key,
        status
    from {{ ref('sf_lead') }}
),

status_changes_numbered as (
    select
        lead_key,
        old_value,
        row_number() over (partition by lead_key order by changed, id) as change_number
    from history
    where field_key = 'status'
),

first_status_changes as (
    select
        lead_key,
        old_value
    from status_changes_numbered
    where change_number = 1
),

translated as (
    select
        history.id as event_id,
        history.lead_key as lead_id,
        history.created_date as changed_at,
        case when history.field_key = 'status' then history.old_value end as from_status,
        case
            when history.field_key = 'created' then coalesce(first_status_changes.old_value, leads.status)
            when history.field_key = 'status' then history.new_value
            else {{ dbt.concat(["'untracked field: '", 'history.field']) }}
        end as to_status,
        history.is_deleted,
        history._source_row,
        history._source_file
    from history
    left join first_status_changes
        on history.lead_key = first_status_changes.lead_key
    left join leads
        on history.lead_key = leads.lead_key
)

select * from translated
