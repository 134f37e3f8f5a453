-- Tasks (calls, emails) and events (meetings) in the generic layout. WhoId is
-- the lead when it is one (prefix 00Q), WhatId the opportunity (prefix 006).
-- The type label is mapped in base (seeds/activity_type_mapping.csv): a task's
-- TaskSubtype, or its Type when the subtype is empty or `Task` (Salesforce's
-- subtype for every task that is not a logged call or email, so it tells no
-- type); every event is `Event`.
with tasks as (
    select * from {{ ref('sf_task') }}
),

events as (
    select * from {{ ref('sf_event') }}
),

translated as (
    select
        {{ sf_id('id') }} as activity_id,
        coalesce(created_date, activity_date) as occurred_at,
        case
            when {{ clean_label('task_subtype') }} is null or {{ clean_label('task_subtype') }} = 'task' then type
            else task_subtype
        end as activity_type,
        {{ sf_id('owner_id') }} as owner_id,
        case when {{ sf_id('who_id') }} like '00Q%' then {{ sf_id('who_id') }} end as lead_id,
        case when {{ sf_id('what_id') }} like '006%' then {{ sf_id('what_id') }} end as opportunity_id,
        {{ sf_id('account_id') }} as account_id,
        call_duration_in_seconds as duration_seconds,
        lower(replace(trim(call_disposition), ' ', '_')) as outcome,
        is_deleted,
        _source_row,
        _source_file
    from tasks

    union all

    select
        {{ sf_id('id') }} as activity_id,
        coalesce(activity_date_time, created_date) as occurred_at,
        'Event' as activity_type,
        {{ sf_id('owner_id') }} as owner_id,
        case when {{ sf_id('who_id') }} like '00Q%' then {{ sf_id('who_id') }} end as lead_id,
        case when {{ sf_id('what_id') }} like '006%' then {{ sf_id('what_id') }} end as opportunity_id,
        {{ sf_id('account_id') }} as account_id,
        -- minutes as seconds; text that is no integer passes as written, so the
        -- base model quarantines it (unparseable_integer) instead of a null
        coalesce(
            -- (as a decimal: minutes beyond a bigint's seconds stay a number, out_of_range)
            cast(cast({{ parse_integer('duration_in_minutes') }} as decimal(38, 0)) * 60 as {{ dbt.type_string() }}),
            duration_in_minutes
        ) as duration_seconds,
        'held' as outcome,
        is_deleted,
        _source_row,
        _source_file
    from events
)

select * from translated
