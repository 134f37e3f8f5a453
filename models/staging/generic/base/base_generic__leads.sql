{{ stage_export(
    'generic', 'leads', key='lead_id',
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
        ['account_keys.record_key', 'known_account_id'],
    ],
    rules=[
        ['created_at is null', 'unparseable_timestamp'],
        ['raw_converted_at is not null and converted_at is null', 'unparseable_timestamp'],
        ['status is null', 'unknown_status_label'],
        ['account_id is not null and known_account_id is null', 'orphan_reference'],
    ],
    version_by='modified_at',
    joins=join_stage_label('status_map', 'status', 'lead', 'generic')
        ~ " left join (select record_key from " ~ ref('base_generic__accounts')
        ~ " where row_status = 'staged') as account_keys on account_keys.record_key = "
        ~ clean_id('raw.raw_account_id'),
) }}
