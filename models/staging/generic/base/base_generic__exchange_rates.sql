{{ stage_export(
    'generic', 'exchange_rates', key='rate_key',
    parsed=[
        [parse_date('raw_rate_date'), 'rate_date'],
        ['upper(' ~ clean_text('raw_currency') ~ ')', 'currency'],
        [dbt.safe_cast(clean_text('raw_rate'), 'double'), 'rate'],
        [dbt.concat(['upper(' ~ clean_text('raw_currency') ~ ')', "'@'", clean_text('raw_rate_date')]), 'rate_key'],
    ],
    rules=[
        ['rate_date is null', 'unparseable_date'],
        ['rate is null', 'unparseable_amount'],
        ['rate <= 0', 'negative_amount'],
    ],
) }}
