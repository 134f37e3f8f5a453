{#- Field history. Stage values are mapped to canonical stages; amounts and
    dates are normalised to plain text numbers and ISO dates. -#}
{%- set field = clean_label('raw.raw_field') -%}
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
    'generic', 'opportunity_changes', key='opportunity_id',
    parsed=[
        [clean_id('raw_change_id'), 'change_id'],
        [clean_id('raw_opportunity_id'), 'opportunity_id'],
        [parse_timestamp('raw_changed_at'), 'changed_at'],
        [field, 'field'],
        [normalised | replace('{stage}', 'old_map.canonical_stage') | replace('{value}', 'old_value'), 'old_value'],
        [normalised | replace('{stage}', 'new_map.canonical_stage') | replace('{value}', 'new_value'), 'new_value'],
        [clean_id('raw_changed_by_id'), 'changed_by_id'],
        ['opportunity_keys.record_key', 'known_opportunity_id'],
    ],
    rules=[
        ['changed_at is null', 'unparseable_timestamp'],
        ["field not in ('stage', 'amount', 'close_date', 'owner_id', 'forecast_category')", 'unknown_field'],
        ["field = 'stage' and new_value is null", 'unknown_stage_label'],
        ["field = 'stage' and raw_old_value is not null and old_value is null", 'unknown_stage_label'],
        ["field = 'amount' and raw_new_value is not null and new_value is null", 'unparseable_amount'],
        ["field = 'close_date' and raw_new_value is not null and new_value is null", 'unparseable_date'],
        ['known_opportunity_id is null', 'orphan_reference'],
    ],
    joins=join_stage_label('old_map', 'old_value', 'opportunity', 'generic')
        ~ " " ~ join_stage_label('new_map', 'new_value', 'opportunity', 'generic')
        ~ " left join (select record_key from " ~ ref('base_generic__opportunities')
        ~ " where row_status = 'staged') as opportunity_keys on opportunity_keys.record_key = "
        ~ clean_id('raw.raw_opportunity_id'),
) }}
