{{ stage_export(
    'generic', 'quotas', key='quota_key',
    parsed=[
        [clean_id('raw_user_id'), 'user_id'],
        [parse_date('raw_quarter_start_date'), 'quarter_start_date'],
        [parse_money('raw_quota_amount'), 'quota_amount'],
        ["coalesce(upper(" ~ clean_text('raw_currency') ~ "), '" ~ var('reporting_currency') ~ "')", 'currency'],
        [dbt.concat([clean_id('raw_user_id'), "'@'", clean_text('raw_quarter_start_date')]), 'quota_key'],
    ],
    rules=[
        ['quarter_start_date is null', 'unparseable_date'],
        ['quota_amount is null', 'unparseable_amount'],
        ['quota_amount < 0', 'negative_amount'],
        ['currency not in (select currency from ' ~ ref('stg_crm__exchange_rates') ~ ')', 'unknown_currency'],
    ],
) }}
