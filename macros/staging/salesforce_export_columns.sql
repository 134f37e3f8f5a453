{#- The Salesforce objects staging reads, the file names each may have, and the
    columns it uses. Headers are matched without case and underscores, so a Data
    Export (StageName, Segment__c) and a connector's tables (stage_name,
    segment_c) both fit; other columns are ignored. The first file found wins:
    the Data Export name, then the connector's. -#}
{% macro salesforce_export_columns() -%}
    {{ return({
        'user': {
            'files': ['User', 'sf_user_data', 'user'],
            'columns': ['id', 'name', 'first_name', 'last_name', 'email', 'manager_id', 'user_role_id', 'department', 'is_active', 'created_date', 'last_modified_date', '_fivetran_synced', '_fivetran_deleted'],
            'required': ['id'],
        },
        'user_role': {
            'files': ['UserRole', 'sf_user_role_data', 'user_role'],
            'columns': ['id', 'name', '_fivetran_deleted'],
            'required': ['id', 'name'],
        },
        'account': {
            'files': ['Account', 'sf_account_data', 'account'],
            'columns': ['id', 'is_deleted', 'name', 'industry', 'number_of_employees', 'billing_country', 'segment_c', 'created_date', 'last_modified_date', '_fivetran_synced'],
            'required': ['id'],
        },
        'campaign': {
            'files': ['Campaign', 'sf_campaign_data', 'campaign'],
            'columns': ['id', 'is_deleted', 'name', 'type', 'owner_id', 'actual_cost', 'currency_iso_code', 'start_date', 'end_date'],
            'required': ['id'],
        },
        'lead': {
            'files': ['Lead', 'sf_lead_data', 'lead'],
            'columns': ['id', 'is_deleted', 'name', 'email', 'phone', 'lead_source', 'status', 'owner_id', 'is_converted', 'converted_date', 'converted_account_id', 'converted_opportunity_id', 'account_c', 'campaign_c', 'disqualified_reason_c', 'budget_confirmed_c', 'authority_confirmed_c', 'need_confirmed_c', 'timeline_confirmed_c', 'fit_score_c', 'created_date', 'last_modified_date', '_fivetran_synced'],
            'required': ['id', 'status'],
        },
        'lead_history': {
            'files': ['LeadHistory', 'sf_lead_field_history_data', 'lead_field_history'],
            'columns': ['id', 'is_deleted', 'lead_id', 'created_date', 'field', 'old_value', 'new_value'],
            'required': ['lead_id', 'created_date', 'field'],
        },
        'task': {
            'files': ['Task', 'sf_task_data', 'task'],
            'columns': ['id', 'is_deleted', 'who_id', 'what_id', 'account_id', 'owner_id', 'task_subtype', 'type', 'activity_date', 'call_duration_in_seconds', 'call_disposition', 'created_date'],
            'required': ['id'],
        },
        'event': {
            'files': ['Event', 'sf_event_data', 'event'],
            'columns': ['id', 'is_deleted', 'who_id', 'what_id', 'account_id', 'owner_id', 'activity_date_time', 'duration_in_minutes', 'created_date'],
            'required': ['id'],
        },
        'opportunity': {
            'files': ['Opportunity', 'sf_opportunity_data', 'opportunity'],
            'columns': ['id', 'is_deleted', 'account_id', 'type', 'stage_name', 'amount', 'currency_iso_code', 'close_date', 'is_closed', 'is_won', 'forecast_category_name', 'forecast_category', 'owner_id', 'created_by_id', 'loss_reason_c', 'main_competitor_c', 'handoff_note_c', 'budget_confirmed_c', 'authority_confirmed_c', 'need_confirmed_c', 'timeline_confirmed_c', 'created_date', 'last_modified_date', 'record_type_id', '_fivetran_synced'],
            'required': ['id', 'stage_name'],
            'file_required': true,
        },
        'opportunity_history': {
            'files': ['OpportunityHistory', 'opportunity_history'],
            'columns': ['id', 'is_deleted', 'opportunity_id', 'created_by_id', 'created_date', 'stage_name', 'amount', 'close_date', 'forecast_category'],
            'required': ['opportunity_id', 'created_date', 'stage_name'],
        },
        'opportunity_field_history': {
            'files': ['OpportunityFieldHistory', 'sf_opportunity_field_history_data', 'opportunity_field_history'],
            'columns': ['id', 'is_deleted', 'opportunity_id', 'created_by_id', 'created_date', 'field', 'old_value', 'new_value'],
            'required': ['opportunity_id', 'created_date', 'field'],
        },
        'opportunity_versions': {
            'files': ['sf_opportunity_history_data', 'opportunity_history_mode'],
            'columns': ['id', 'is_deleted', '_fivetran_start', '_fivetran_end', '_fivetran_active', 'owner_id', 'stage_name', 'amount', 'close_date', 'forecast_category', 'is_closed', 'created_date'],
            'required': ['id', '_fivetran_start', 'stage_name'],
        },
        'contract': {
            'files': ['Contract', 'sf_contract_data', 'contract'],
            'columns': ['id', 'is_deleted', 'account_id', 'start_date', 'end_date', 'status', 'owner_id', 'currency_iso_code', 'annual_value_c', 'opportunity_c', 'renewal_opportunity_c', 'renewal_status_c'],
            'required': ['id'],
        },
        'dated_conversion_rate': {
            'files': ['DatedConversionRate', 'sf_dated_conversion_rate_data', 'dated_conversion_rate'],
            'columns': ['id', 'iso_code', 'conversion_rate', 'start_date', 'next_start_date'],
            'required': ['iso_code', 'conversion_rate', 'start_date'],
        },
        'currency_type': {
            'files': ['CurrencyType', 'sf_currency_type_data', 'currency_type'],
            'columns': ['id', 'iso_code', 'conversion_rate', 'is_corporate', 'is_active'],
            'required': ['iso_code', 'conversion_rate'],
        },
        'forecasting_quota': {
            'files': ['ForecastingQuota', 'sf_forecasting_quota_data', 'forecasting_quota'],
            'columns': ['id', 'quota_owner_id', 'start_date', 'quota_amount', 'currency_iso_code'],
            'required': ['quota_owner_id', 'start_date', 'quota_amount'],
        },
    }) }}
{%- endmacro %}
