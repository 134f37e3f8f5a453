{{ stage_export(
    'generic', 'contracts', key='contract_id',
    parsed=[
        [clean_id('raw_contract_id'), 'contract_id'],
        [clean_id('raw_account_id'), 'account_id'],
        [clean_id('raw_opportunity_id'), 'opportunity_id'],
        [parse_date('raw_start_date'), 'start_date'],
        [parse_date('raw_end_date'), 'end_date'],
        [parse_money('raw_annual_value'), 'annual_value_amount'],
        ["coalesce(upper(" ~ clean_text('raw_currency') ~ "), '" ~ var('reporting_currency') ~ "')", 'currency'],
        [clean_id('raw_csm_id'), 'csm_id'],
        [clean_id('raw_renewal_opportunity_id'), 'renewal_opportunity_id'],
        [clean_label('raw_status'), 'status'],
        ['account_keys.record_key', 'known_account_id'],
    ],
    rules=[
        ['start_date is null or end_date is null', 'unparseable_date'],
        ['raw_annual_value is not null and annual_value_amount is null', 'unparseable_amount'],
        ['annual_value_amount < 0', 'negative_amount'],
        ['currency not in (select currency from ' ~ ref('stg_crm__exchange_rates') ~ ')', 'unknown_currency'],
        ['known_account_id is null', 'orphan_reference'],
    ],
    joins="left join (select record_key from " ~ ref('base_generic__accounts')
        ~ " where row_status = 'staged') as account_keys on account_keys.record_key = "
        ~ clean_id('raw.raw_account_id'),
) }}
