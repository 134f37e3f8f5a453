{#- The columns staging reads from each generic export file, and the required ones
    (docs/generic_format.md). Extra columns in a file are ignored. Every file may
    carry `is_deleted`, a soft-delete flag: such rows go to quarantine. -#}
{% macro generic_export_columns() -%}
    {{ return({
        'accounts': {
            'columns': ['account_id', 'account_name', 'industry', 'employee_count', 'segment', 'country', 'created_at', 'modified_at', 'is_deleted'],
            'required': ['account_id'],
        },
        'activities': {
            'columns': ['activity_id', 'occurred_at', 'activity_type', 'owner_id', 'lead_id', 'opportunity_id', 'account_id', 'duration_seconds', 'outcome', 'is_deleted'],
            'required': ['activity_id', 'occurred_at', 'activity_type'],
        },
        'campaigns': {
            'columns': ['campaign_id', 'campaign_name', 'channel', 'cost', 'currency', 'start_date', 'end_date', 'owner_id', 'is_deleted'],
            'required': ['campaign_id', 'channel'],
        },
        'contracts': {
            'columns': ['contract_id', 'account_id', 'opportunity_id', 'start_date', 'end_date', 'annual_value', 'currency', 'csm_id', 'renewal_opportunity_id', 'status', 'is_deleted'],
            'required': ['contract_id', 'account_id', 'start_date', 'end_date'],
        },
        'exchange_rates': {
            'columns': ['rate_date', 'currency', 'rate', 'base_currency', 'next_rate_date', 'is_deleted'],
            'required': ['rate_date', 'currency', 'rate'],
        },
        'lead_status_events': {
            'columns': ['event_id', 'lead_id', 'changed_at', 'from_status', 'to_status', 'is_deleted'],
            'required': ['lead_id', 'changed_at', 'to_status'],
        },
        'leads': {
            'columns': ['lead_id', 'created_at', 'account_id', 'channel', 'campaign_id', 'owner_id', 'status', 'converted_at', 'converted_opportunity_id', 'disqualified_reason', 'has_budget', 'has_authority', 'has_need', 'has_timeline', 'fit_score', 'contact_name', 'email', 'phone', 'modified_at', 'is_deleted'],
            'required': ['lead_id', 'created_at', 'status'],
        },
        'opportunities': {
            'columns': ['opportunity_id', 'account_id', 'lead_id', 'opportunity_type', 'created_at', 'created_by_id', 'owner_id', 'stage', 'amount', 'currency', 'close_date', 'is_closed', 'is_won', 'lost_reason', 'competitor', 'forecast_category', 'handoff_note', 'has_budget', 'has_authority', 'has_need', 'has_timeline', 'modified_at', 'pipeline_id', 'is_deleted'],
            'required': ['opportunity_id', 'created_at', 'stage'],
        },
        'opportunity_changes': {
            'columns': ['change_id', 'opportunity_id', 'changed_at', 'field', 'old_value', 'new_value', 'changed_by_id', 'is_deleted'],
            'required': ['opportunity_id', 'changed_at', 'field'],
        },
        'quotas': {
            'columns': ['user_id', 'quarter_start_date', 'quota_amount', 'currency', 'is_deleted'],
            'required': ['user_id', 'quarter_start_date', 'quota_amount'],
        },
        'user_roles': {
            'columns': ['user_id', 'role_label', 'team', 'valid_from', 'valid_to', 'is_deleted'],
            'required': ['user_id', 'role_label', 'valid_from'],
        },
        'users': {
            'columns': ['user_id', 'full_name', 'email', 'manager_id', 'hired_at', 'terminated_at', 'modified_at', 'is_deleted'],
            'required': ['user_id', 'hired_at'],
        },
    }) }}
{%- endmacro %}
