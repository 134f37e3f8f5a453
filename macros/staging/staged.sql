{#- The staged rows of an export entity, as the canonical models read them: the
    same columns whatever the source. Ties between history rows at the same time
    keep the file's order (generic) or the record id's (Salesforce ids grow with time). -#}
{% macro staged(source_name, entity) -%}
    {%- set generic = source_name == 'generic' -%}
    {%- set columns = {
        'accounts': ['account_id', 'account_name', 'industry', 'country', 'segment_label', 'employee_count', 'created_at', 'modified_at'],
        'activities': ['activity_id', 'owner_id', 'lead_id', 'opportunity_id', 'account_id', 'activity_type', 'outcome', 'duration_seconds', 'is_type_defaulted', 'occurred_at'],
        'campaigns': ['campaign_id', 'campaign_name', 'owner_id', 'channel', 'currency', 'cost_amount', 'start_date', 'end_date'],
        'contracts': ['contract_id', 'account_id', 'opportunity_id', 'csm_id', 'renewal_opportunity_id', 'currency', 'status', 'annual_value_amount', 'start_date', 'end_date'],
        'exchange_rates': ['currency', 'base_currency', 'rate', 'rate_date', 'next_rate_date'],
        'lead_status_events': ['event_id', 'lead_id', 'from_status', 'to_status', 'changed_at', '{event_order}'],
        'leads': ['lead_id', 'account_id', 'campaign_id', 'owner_id', 'converted_opportunity_id', 'channel', 'status', 'disqualified_reason', 'contact_name_hash', 'email_hash', 'phone_hash', 'fit_score', 'has_budget', 'has_authority', 'has_need', 'has_timeline', 'created_at', 'converted_at', 'modified_at'],
        'opportunities': ['opportunity_id', 'account_id', 'lead_id', 'created_by_id', 'owner_id', 'pipeline_id', 'opportunity_type', 'stage', 'stage_label', 'currency', 'is_currency_defaulted', 'lost_reason', 'competitor', 'forecast_category', 'handoff_note', 'amount', 'is_closed', 'is_won', 'is_type_defaulted', 'has_budget', 'has_authority', 'has_need', 'has_timeline', 'close_date', 'created_at', 'modified_at'],
        'opportunity_changes': ['change_id', 'opportunity_id', 'changed_by_id', 'field', 'old_value', 'new_value', 'changed_at', '{change_order}'],
        'quotas': ['user_id', 'currency', 'quota_amount', 'quarter_start_date'],
        'user_roles': ['user_id', 'role', 'role_label', 'team', 'valid_from', 'valid_to'],
        'users': ['user_id', 'full_name', 'email_hash', 'manager_id', 'hired_at', 'terminated_at', 'modified_at'],
    } -%}
with staged as (
    select
        {%- for column in columns[entity] %}
        {%- if column == '{change_order}' %}
        row_number() over (partition by opportunity_id order by {{ '_source_row' if generic else 'changed_at, change_id' }}) as change_order
        {%- elif column == '{event_order}' %}
        row_number() over (partition by lead_id order by {{ '_source_row' if generic else 'changed_at, event_id' }}) as event_order
        {%- else %}
        {{ column }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('base_' ~ source_name ~ '__' ~ entity) }}
    where row_status = 'staged'
)

select * from staged
{%- endmacro %}
