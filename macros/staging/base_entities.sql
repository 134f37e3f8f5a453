{#- A lead, a lead status change or an activity dated after an explicitly set
    var('as_of_date') did not exist yet at that moment: set aside with rule
    after_as_of_date (never with the default, where the as-of moment is the
    latest event), and not counted as untrusted in the quarantine share.
    Opportunities and their field history stay: a later change still tells
    the value before it, and contracts refer to later deals; the intermediate
    layer cuts stage and field history at the as-of moment. -#}
{% macro after_as_of(column) -%}
    {{ column }} > {{ as_of_literal() }}
{%- endmacro %}

{#- Rules that set a row aside without distrusting it: quarantined with the
    rule, counted in row_accounting.set_aside_rows, left out of the quarantine
    share. parent_set_aside: a row whose parent was set aside (macros/staging/references.sql).
    sample_campaign: Salesforce creates a few "... (Sample)" campaigns with
    currency 000 in every new org; they are placeholders, not marketing spend. -#}
{% macro set_aside_rules() -%}
    {{ return(['after_as_of_date', 'sample_campaign', 'parent_set_aside']) }}
{%- endmacro %}

{#- The base model of each export entity, shared by every source format: a source
    translates its export into the generic text columns (raw_<source>__<entity>),
    and these rules parse, check and version it the same way for all. -#}

{% macro base_accounts(source_name) -%}
{{ stage_export(
    source_name, 'accounts', key='account_id',
    parsed=[
        [clean_id('raw_account_id'), 'account_id'],
        [clean_text('raw_account_name'), 'account_name'],
        [clean_label('raw_industry'), 'industry'],
        [parse_integer('raw_employee_count'), 'employee_count'],
        [clean_label('raw_segment'), 'segment_label'],
        ['upper(' ~ clean_text('raw_country') ~ ')', 'country'],
        [parse_timestamp('raw_created_at'), 'created_at'],
        [parse_timestamp('raw_modified_at'), 'modified_at'],
    ],
    rules=parse_rules('timestamp', ['raw_created_at', 'raw_modified_at'])
        + parse_rules('integer', ['raw_employee_count']) + [
        ['employee_count < 0', 'out_of_range'],
        ["segment_label is not null and segment_label not in ('smb', 'mid_market', 'enterprise')",
         'unknown_segment_label'],
    ],
    version_by='modified_at',
) }}
{%- endmacro %}

{#- An activity's type label maps through seeds/activity_type_mapping.csv; no label
    gets var('default_activity_type'), flagged is_type_defaulted; a label the seed
    lacks is quarantined as unknown_activity_type. -#}
{% macro base_activities(source_name) -%}
{{ stage_export(
    source_name, 'activities', key='activity_id',
    parsed=[
        [clean_id('raw_activity_id'), 'activity_id'],
        [parse_timestamp('raw_occurred_at'), 'occurred_at'],
        ["coalesce(type_map.activity_type, case when " ~ clean_label('raw_activity_type') ~ " is null then '"
            ~ default_activity_type() ~ "' end)", 'activity_type'],
        [clean_label('raw_activity_type') ~ " is null", 'is_type_defaulted'],
        [clean_id('raw_owner_id'), 'owner_id'],
        [clean_id('raw_lead_id'), 'lead_id'],
        [clean_id('raw_opportunity_id'), 'opportunity_id'],
        [clean_id('raw_account_id'), 'account_id'],
        [parse_integer('raw_duration_seconds'), 'duration_seconds'],
        [clean_label('raw_outcome'), 'outcome'],
        [parent_state('lead_keys'), 'lead_state'],
        [parent_state('opportunity_keys'), 'opportunity_state'],
    ],
    rules=[
        ['raw_occurred_at is null', 'missing_timestamp'],
        ['occurred_at is null', 'unparseable_timestamp'],
        [after_as_of('occurred_at'), 'after_as_of_date'],
        ['activity_type is null', 'unknown_activity_type'],
    ] + parse_rules('integer', ['raw_duration_seconds']) + [
        ['duration_seconds < 0', 'out_of_range'],
    ] + reference_rules('lead_id', 'lead_state', 'leads')
        + reference_rules('opportunity_id', 'opportunity_state', 'opportunities'),
    joins=join_activity_type('type_map', source_name)
        ~ " " ~ join_parent('lead_keys', source_name, 'leads', 'lead_id')
        ~ " " ~ join_parent('opportunity_keys', source_name, 'opportunities', 'opportunity_id'),
) }}
{%- endmacro %}

{% macro base_campaigns(source_name) -%}
{{ stage_export(
    source_name, 'campaigns', key='campaign_id',
    parsed=[
        [clean_id('raw_campaign_id'), 'campaign_id'],
        [clean_text('raw_campaign_name'), 'campaign_name'],
        [clean_label('raw_channel'), 'channel'],
        [parse_money('raw_cost'), 'cost_amount'],
        [amount_currency('raw_currency', 'raw_cost'), 'currency'],
        [parse_date('raw_start_date'), 'start_date'],
        [parse_date('raw_end_date'), 'end_date'],
        [clean_id('raw_owner_id'), 'owner_id'],
        ['rate_period.currency', 'rated_currency'],
    ],
    rules=[
        ["currency = '000' and lower(campaign_name) like '%(sample)'", 'sample_campaign'],
    ] + parse_rules('amount', ['raw_cost']) + [
        [conflicting_currency('raw_currency', 'raw_cost'), 'conflicting_currency'],
        [ambiguous_currency('raw_currency', 'raw_cost'), 'ambiguous_currency'],
        ['cost_amount < 0', 'negative_amount'],
        ['raw_start_date is not null and start_date is null', 'unparseable_date'],
        ['raw_end_date is not null and end_date is null', 'unparseable_date'],
        ['currency not in (select currency from ' ~ ref('stg_crm__exchange_rates') ~ ')', 'unknown_currency'],
        missing_rate_rule('cost_amount', 'currency', 'start_date', 'rated_currency'),
    ],
    joins=join_rate_period('rate_period', amount_currency('raw.raw_currency', 'raw.raw_cost'), parse_date('raw.raw_start_date')),
) }}
{%- endmacro %}

{% macro base_contracts(source_name) -%}
{{ stage_export(
    source_name, 'contracts', key='contract_id',
    parsed=[
        [clean_id('raw_contract_id'), 'contract_id'],
        [clean_id('raw_account_id'), 'account_id'],
        [clean_id('raw_opportunity_id'), 'opportunity_id'],
        [parse_date('raw_start_date'), 'start_date'],
        [parse_date('raw_end_date'), 'end_date'],
        [parse_money('raw_annual_value'), 'annual_value_amount'],
        [amount_currency('raw_currency', 'raw_annual_value'), 'currency'],
        [clean_id('raw_csm_id'), 'csm_id'],
        [clean_id('raw_renewal_opportunity_id'), 'renewal_opportunity_id'],
        [clean_label('raw_status'), 'status'],
        [parent_state('account_keys'), 'account_state'],
        [parent_state('opportunity_keys'), 'opportunity_state'],
        [parent_state('renewal_keys'), 'renewal_opportunity_state'],
        ['rate_period.currency', 'rated_currency'],
    ],
    rules=[
        ['start_date is null or end_date is null', 'unparseable_date'],
    ] + parse_rules('amount', ['raw_annual_value']) + [
        [conflicting_currency('raw_currency', 'raw_annual_value'), 'conflicting_currency'],
        [ambiguous_currency('raw_currency', 'raw_annual_value'), 'ambiguous_currency'],
        ['annual_value_amount < 0', 'negative_amount'],
        ['currency not in (select currency from ' ~ ref('stg_crm__exchange_rates') ~ ')', 'unknown_currency'],
        missing_rate_rule('annual_value_amount', 'currency', 'start_date', 'rated_currency'),
    ] + reference_rules('account_id', 'account_state', 'accounts', required=true)
        + reference_rules('opportunity_id', 'opportunity_state', 'opportunities')
        + reference_rules('renewal_opportunity_id', 'renewal_opportunity_state', 'opportunities'),
    joins=join_parent('account_keys', source_name, 'accounts', 'account_id')
        ~ " " ~ join_parent('opportunity_keys', source_name, 'opportunities', 'opportunity_id')
        ~ " " ~ join_parent('renewal_keys', source_name, 'opportunities', 'renewal_opportunity_id')
        ~ " " ~ join_rate_period('rate_period', amount_currency('raw.raw_currency', 'raw.raw_annual_value'), parse_date('raw.raw_start_date')),
) }}
{%- endmacro %}

{#- A rate is against the base currency its row states (null: the reporting
    currency). A row without a date is a static rate, for the days no dated rate
    covers. Dates before 1900 (Salesforce's 0001-01-01) mean "since always" and
    9999-12-31 "until further notice". -#}
{% macro base_exchange_rates(source_name) -%}
{%- set rate_date = parse_date('raw_rate_date') -%}
{%- set next_rate_date = parse_date('raw_next_rate_date') -%}
{{ stage_export(
    source_name, 'exchange_rates', key='rate_key',
    parsed=[
        ["case when " ~ rate_date ~ " < cast('1900-01-01' as date) then cast('1900-01-01' as date) else "
            ~ rate_date ~ " end", 'rate_date'],
        ["case when " ~ next_rate_date ~ " < cast('9000-01-01' as date) then " ~ next_rate_date ~ " end",
            'next_rate_date'],
        ['upper(' ~ clean_text('raw_currency') ~ ')', 'currency'],
        ['upper(' ~ clean_text('raw_base_currency') ~ ')', 'base_currency'],
        [dbt.safe_cast(rate_text('raw_rate'), type_double()), 'rate'],
        [dbt.concat([
            'upper(' ~ clean_text('raw_currency') ~ ')', "'@'",
            "coalesce(upper(" ~ clean_text('raw_base_currency') ~ "), '')", "'@'",
            "coalesce(" ~ clean_text('raw_rate_date') ~ ", 'static')",
        ]), 'rate_key'],
    ],
    rules=[
        ['raw_rate_date is not null and rate_date is null', 'unparseable_date'],
        ['raw_next_rate_date is not null and ' ~ next_rate_date ~ ' is null', 'unparseable_date'],
        ['next_rate_date <= rate_date', 'period_ends_before_start'],
        ['rate is null', 'unparseable_amount'],
        ['rate <= 0', 'negative_amount'],
    ],
) }}
{%- endmacro %}

{% macro base_lead_status_events(source_name) -%}
{{ stage_export(
    source_name, 'lead_status_events', key='lead_id', key_is_unique=false,
    parsed=[
        [clean_id('raw_event_id'), 'event_id'],
        [clean_id('raw_lead_id'), 'lead_id'],
        [parse_timestamp('raw_changed_at'), 'changed_at'],
        ['from_map.canonical_stage', 'from_status'],
        ['to_map.canonical_stage', 'to_status'],
        [parent_state('lead_keys'), 'lead_state'],
    ],
    rules=[
        ['raw_changed_at is null', 'missing_timestamp'],
        ['changed_at is null', 'unparseable_timestamp'],
        [after_as_of('changed_at'), 'after_as_of_date'],
        ['to_status is null', 'unknown_status_label'],
        ['raw_from_status is not null and from_status is null', 'unknown_status_label'],
    ] + reference_rules('lead_id', 'lead_state', 'leads', required=true),
    joins=join_stage_label('from_map', 'from_status', 'lead', source_name)
        ~ " " ~ join_stage_label('to_map', 'to_status', 'lead', source_name)
        ~ " " ~ join_parent('lead_keys', source_name, 'leads', 'lead_id'),
) }}
{%- endmacro %}

{% macro base_leads(source_name) -%}
{{ stage_export(
    source_name, 'leads', key='lead_id',
    parsed=[
        [clean_id('raw_lead_id'), 'lead_id'],
        [parse_timestamp('raw_created_at'), 'created_at'],
        [clean_id('raw_account_id'), 'account_id'],
        [clean_label('raw_channel'), 'channel'],
        [clean_id('raw_campaign_id'), 'campaign_id'],
        [clean_id('raw_owner_id'), 'owner_id'],
        ['status_map.canonical_stage', 'status'],
        [parse_timestamp('raw_converted_at'), 'converted_at'],
        [clean_id('raw_converted_opportunity_id'), 'converted_opportunity_id'],
        [clean_label('raw_disqualified_reason'), 'disqualified_reason'],
        [parse_boolean('raw_has_budget'), 'has_budget'],
        [parse_boolean('raw_has_authority'), 'has_authority'],
        [parse_boolean('raw_has_need'), 'has_need'],
        [parse_boolean('raw_has_timeline'), 'has_timeline'],
        [parse_integer('raw_fit_score'), 'fit_score'],
        [hash_personal('raw_contact_name'), 'contact_name_hash'],
        [hash_personal('raw_email'), 'email_hash'],
        [hash_personal('raw_phone'), 'phone_hash'],
        [parse_timestamp('raw_modified_at'), 'modified_at'],
        [parent_state('account_keys'), 'account_state'],
        [parent_state('converted_keys'), 'converted_opportunity_state'],
    ],
    rules=[
        ['raw_created_at is null', 'missing_timestamp'],
        ['created_at is null', 'unparseable_timestamp'],
        [after_as_of('created_at'), 'after_as_of_date'],
        ['raw_converted_at is not null and converted_at is null', 'unparseable_timestamp'],
    ] + parse_rules('timestamp', ['raw_modified_at'])
        + parse_rules('boolean', ['raw_has_budget', 'raw_has_authority', 'raw_has_need', 'raw_has_timeline'])
        + parse_rules('integer', ['raw_fit_score']) + [
        ['fit_score < 0 or fit_score > 100', 'out_of_range'],
        ['status is null', 'unknown_status_label'],
    ] + reference_rules('account_id', 'account_state', 'accounts')
        + reference_rules('converted_opportunity_id', 'converted_opportunity_state', 'opportunities'),
    version_by='modified_at',
    joins=join_stage_label('status_map', 'status', 'lead', source_name)
        ~ " " ~ join_parent('account_keys', source_name, 'accounts', 'account_id')
        ~ " " ~ join_parent('converted_keys', source_name, 'opportunities', 'converted_opportunity_id'),
) }}
{%- endmacro %}

{% macro base_opportunities(source_name) -%}
{#- A deal without a pipeline (record type) is in var('default_pipeline_id');
    its stage label is mapped by its pipeline's rows of the stage mapping. -#}
{%- set pipeline = "coalesce(" ~ clean_id('raw.raw_pipeline_id') ~ ", '" ~ default_pipeline_id() ~ "')" -%}
{{ stage_export(
    source_name, 'opportunities', key='opportunity_id',
    parsed=[
        [clean_id('raw_opportunity_id'), 'opportunity_id'],
        [clean_id('raw_account_id'), 'account_id'],
        [clean_id('raw_lead_id'), 'lead_id'],
        ["coalesce(" ~ clean_label('raw_opportunity_type') ~ ", '" ~ default_opportunity_type() ~ "')", 'opportunity_type'],
        [clean_label('raw_opportunity_type') ~ " is null", 'is_type_defaulted'],
        [pipeline, 'pipeline_id'],
        [parse_timestamp('raw_created_at'), 'created_at'],
        [clean_id('raw_created_by_id'), 'created_by_id'],
        [clean_id('raw_owner_id'), 'owner_id'],
        ['stage_map.canonical_stage', 'stage'],
        [clean_text('raw_stage'), 'stage_label'],
        [parse_money('raw_amount'), 'amount'],
        [amount_currency('raw_currency', 'raw_amount'), 'currency'],
        [clean_text('raw_currency') ~ ' is null and ' ~ money_currency('raw_amount') ~ ' is null', 'is_currency_defaulted'],
        [parse_date('raw_close_date'), 'close_date'],
        ["coalesce(" ~ parse_boolean('raw_is_closed') ~ ", stage_map.is_won or stage_map.is_lost)", 'is_closed'],
        ["coalesce(" ~ parse_boolean('raw_is_won') ~ ", stage_map.is_won)", 'is_won'],
        [clean_label('raw_lost_reason'), 'lost_reason'],
        [clean_text('raw_competitor'), 'competitor'],
        ["replace(" ~ clean_label('raw_forecast_category') ~ ", ' ', '_')", 'forecast_category'],
        [clean_text('raw_handoff_note'), 'handoff_note'],
        [parse_boolean('raw_has_budget'), 'has_budget'],
        [parse_boolean('raw_has_authority'), 'has_authority'],
        [parse_boolean('raw_has_need'), 'has_need'],
        [parse_boolean('raw_has_timeline'), 'has_timeline'],
        [parse_timestamp('raw_modified_at'), 'modified_at'],
        [parent_state('account_keys'), 'account_state'],
        ['rate_period.currency', 'rated_currency'],
    ],
    rules=[
        ['raw_created_at is null', 'missing_timestamp'],
        ['created_at is null', 'unparseable_timestamp'],
        ['stage is null', 'unknown_stage_label'],
    ] + parse_rules('amount', ['raw_amount']) + [
        [conflicting_currency('raw_currency', 'raw_amount'), 'conflicting_currency'],
        [ambiguous_currency('raw_currency', 'raw_amount'), 'ambiguous_currency'],
        ['amount < 0', 'negative_amount'],
        ['raw_close_date is not null and close_date is null', 'unparseable_date'],
    ] + parse_rules('timestamp', ['raw_modified_at'])
        + parse_rules('boolean', ['raw_is_closed', 'raw_is_won', 'raw_has_budget', 'raw_has_authority', 'raw_has_need', 'raw_has_timeline'])
        + [
        ["opportunity_type not in ('new_business', 'renewal', 'expansion')", 'unknown_opportunity_type'],
        ['currency not in (select currency from ' ~ ref('stg_crm__exchange_rates') ~ ')', 'unknown_currency'],
        missing_rate_rule('amount', 'currency', 'coalesce(close_date, cast(created_at as date))', 'rated_currency'),
    ] + reference_rules('account_id', 'account_state', 'accounts'),
    version_by='modified_at',
    joins=join_stage_label('stage_map', 'stage', 'opportunity', source_name, pipeline=pipeline)
        ~ " " ~ join_parent('account_keys', source_name, 'accounts', 'account_id')
        ~ " " ~ join_rate_period('rate_period', amount_currency('raw.raw_currency', 'raw.raw_amount'),
            'coalesce(' ~ parse_date('raw.raw_close_date') ~ ', cast(' ~ parse_timestamp('raw.raw_created_at') ~ ' as date))'),
) }}
{%- endmacro %}

{% macro base_opportunity_changes(source_name) -%}
{#- Field history. Stage values are mapped to canonical stages; amounts and
    dates are normalised to plain text numbers and ISO dates. -#}
{%- set field = clean_label('raw.raw_field') -%}
{#- a stage value is mapped by the rows of its deal's (current) pipeline -#}
{%- set opportunity_keys = " left join (select record_key, pipeline_id from " ~ ref('base_' ~ source_name ~ '__opportunities')
    ~ " where row_status = 'staged') as opportunity_keys on opportunity_keys.record_key = "
    ~ clean_id('raw.raw_opportunity_id') -%}
{%- set pipeline = "coalesce(opportunity_keys.pipeline_id, '" ~ default_pipeline_id() ~ "')" -%}
{%- set normalised -%}
    case {{ field }}
        when 'stage' then {stage}
        when 'amount' then cast({{ parse_money('raw.raw_{value}') }} as {{ dbt.type_string() }})
        when 'close_date' then cast({{ parse_date('raw.raw_{value}') }} as {{ dbt.type_string() }})
        when 'forecast_category' then {{ clean_label('raw.raw_{value}') }}
        else {{ clean_id('raw.raw_{value}') }}
    end
{%- endset -%}
{{ stage_export(
    source_name, 'opportunity_changes', key='opportunity_id', key_is_unique=false,
    parsed=[
        [clean_id('raw_change_id'), 'change_id'],
        [clean_id('raw_opportunity_id'), 'opportunity_id'],
        [parse_timestamp('raw_changed_at'), 'changed_at'],
        [field, 'field'],
        [normalised | replace('{stage}', 'old_map.canonical_stage') | replace('{value}', 'old_value'), 'old_value'],
        [normalised | replace('{stage}', 'new_map.canonical_stage') | replace('{value}', 'new_value'), 'new_value'],
        [clean_id('raw_changed_by_id'), 'changed_by_id'],
        [parent_state('opportunity_parent'), 'opportunity_state'],
    ],
    rules=[
        ['raw_changed_at is null', 'missing_timestamp'],
        ['changed_at is null', 'unparseable_timestamp'],
        ["field not in ('stage', 'amount', 'close_date', 'owner_id', 'forecast_category')", 'unknown_field'],
        ["field = 'stage' and new_value is null", 'unknown_stage_label'],
        ["field = 'stage' and raw_old_value is not null and old_value is null", 'unknown_stage_label'],
    ] + field_value_rules('amount', ['raw_new_value', 'raw_old_value'])
        + field_value_rules('date', ['raw_new_value', 'raw_old_value'])
        + reference_rules('opportunity_id', 'opportunity_state', 'opportunities', required=true),
    joins=opportunity_keys
        ~ " " ~ join_parent('opportunity_parent', source_name, 'opportunities', 'opportunity_id')
        ~ " " ~ join_stage_label('old_map', 'old_value', 'opportunity', source_name, pipeline, opportunity_keys)
        ~ " " ~ join_stage_label('new_map', 'new_value', 'opportunity', source_name, pipeline, opportunity_keys),
) }}
{%- endmacro %}

{% macro base_quotas(source_name) -%}
{{ stage_export(
    source_name, 'quotas', key='quota_key',
    parsed=[
        [clean_id('raw_user_id'), 'user_id'],
        [parse_date('raw_quarter_start_date'), 'quarter_start_date'],
        [parse_money('raw_quota_amount'), 'quota_amount'],
        [amount_currency('raw_currency', 'raw_quota_amount'), 'currency'],
        [dbt.concat([clean_id('raw_user_id'), "'@'", clean_text('raw_quarter_start_date')]), 'quota_key'],
        ['rate_period.currency', 'rated_currency'],
    ],
    rules=[
        ['quarter_start_date is null', 'unparseable_date'],
    ] + parse_rules('amount', ['raw_quota_amount']) + [
        ['quota_amount is null', 'unparseable_amount'],
        [conflicting_currency('raw_currency', 'raw_quota_amount'), 'conflicting_currency'],
        [ambiguous_currency('raw_currency', 'raw_quota_amount'), 'ambiguous_currency'],
        ['quota_amount < 0', 'negative_amount'],
        ['currency not in (select currency from ' ~ ref('stg_crm__exchange_rates') ~ ')', 'unknown_currency'],
        missing_rate_rule('quota_amount', 'currency', 'quarter_start_date', 'rated_currency'),
    ],
    joins=join_rate_period('rate_period', amount_currency('raw.raw_currency', 'raw.raw_quota_amount'), parse_date('raw.raw_quarter_start_date')),
) }}
{%- endmacro %}

{#- Two role periods of one person that overlap would count the person twice
    (double FTE): the later-starting period is quarantined as
    overlapping_role_period, the earlier one stays; periods starting at the same
    moment are both quarantined (nothing tells which is right). A period without
    valid_to runs until further notice, so any later period overlaps it. Periods
    with an unreadable date or role are quarantined by their own rule and not compared. -#}
{% macro base_user_roles(source_name) -%}
{%- set role_period = "_copy_number = 1 and user_id is not null and valid_from is not null and role is not null"
    ~ " and (raw_valid_to is null or valid_to is not null)" -%}
{%- set earlier_end -%}
    max(coalesce(valid_to, cast('9999-12-31' as {{ dbt.type_timestamp() }}))) over (
        partition by user_id, ({{ role_period }}) order by valid_from, _source_row
        rows between unbounded preceding and 1 preceding
    )
{%- endset -%}
{%- set same_start = "count(*) over (partition by user_id, (" ~ role_period ~ "), valid_from)" -%}
{{ stage_export(
    source_name, 'user_roles', key='user_id', key_is_unique=false,
    parsed=[
        [clean_id('raw_user_id'), 'user_id'],
        [clean_text('raw_role_label'), 'role_label'],
        ['role_map.canonical_role', 'role'],
        [clean_text('raw_team'), 'team'],
        [parse_timestamp('raw_valid_from'), 'valid_from'],
        [parse_timestamp('raw_valid_to'), 'valid_to'],
        [parent_state('user_keys'), 'user_state'],
    ],
    rules=[
        ['raw_valid_from is null', 'missing_timestamp'],
        ['valid_from is null', 'unparseable_timestamp'],
        ['raw_valid_to is not null and valid_to is null', 'unparseable_timestamp'],
        ['role is null', 'unknown_role_label'],
    ] + reference_rules('user_id', 'user_state', 'users', required=true) + [
        [role_period ~ ' and (' ~ earlier_end ~ ' > valid_from or ' ~ same_start ~ ' > 1)',
         'overlapping_role_period',
         dbt.concat(["'user '", 'user_id', "': another role period of the person covers '",
            dbt.safe_cast('valid_from', dbt.type_string())])],
    ],
    joins="left join " ~ ref('role_mapping') ~ " as role_map on " ~ clean_label('role_map.source_label')
        ~ " = " ~ clean_label('raw.raw_role_label')
        ~ " " ~ join_parent('user_keys', source_name, 'users', 'user_id'),
) }}
{%- endmacro %}

{% macro base_users(source_name) -%}
{{ stage_export(
    source_name, 'users', key='user_id',
    parsed=[
        [clean_id('raw_user_id'), 'user_id'],
        [clean_text('raw_full_name'), 'full_name'],
        [hash_personal('raw_email'), 'email_hash'],
        [clean_id('raw_manager_id'), 'manager_id'],
        [parse_timestamp('raw_hired_at'), 'hired_at'],
        [parse_timestamp('raw_terminated_at'), 'terminated_at'],
        [parse_timestamp('raw_modified_at'), 'modified_at'],
    ],
    rules=[
        ['raw_hired_at is null', 'missing_timestamp'],
        ['hired_at is null', 'unparseable_timestamp'],
        ['raw_terminated_at is not null and terminated_at is null', 'unparseable_timestamp'],
    ] + parse_rules('timestamp', ['raw_modified_at']),
    version_by='modified_at',
) }}
{%- endmacro %}
