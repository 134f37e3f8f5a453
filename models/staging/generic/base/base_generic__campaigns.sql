{{ stage_export(
    'generic', 'campaigns', key='campaign_id',
    parsed=[
        [clean_id('raw_campaign_id'), 'campaign_id'],
        [clean_text('raw_campaign_name'), 'campaign_name'],
        [clean_label('raw_channel'), 'channel'],
        [parse_money('raw_cost'), 'cost_amount'],
        ["coalesce(upper(" ~ clean_text('raw_currency') ~ "), '" ~ var('reporting_currency') ~ "')", 'currency'],
        [parse_date('raw_start_date'), 'start_date'],
        [parse_date('raw_end_date'), 'end_date'],
    ],
    rules=[
        ['raw_cost is not null and cost_amount is null', 'unparseable_amount'],
        ['cost_amount < 0', 'negative_amount'],
        ['raw_start_date is not null and start_date is null', 'unparseable_date'],
        ['raw_end_date is not null and end_date is null', 'unparseable_date'],
        ['currency not in (select currency from ' ~ ref('stg_crm__exchange_rates') ~ ')', 'unknown_currency'],
    ],
) }}
