{{ stage_export(
    'generic', 'activities', key='activity_id',
    parsed=[
        [clean_id('raw_activity_id'), 'activity_id'],
        [parse_timestamp('raw_occurred_at'), 'occurred_at'],
        [clean_label('raw_activity_type'), 'activity_type'],
        [clean_id('raw_owner_id'), 'owner_id'],
        [clean_id('raw_lead_id'), 'lead_id'],
        [clean_id('raw_opportunity_id'), 'opportunity_id'],
        [clean_id('raw_account_id'), 'account_id'],
        [parse_integer('raw_duration_seconds'), 'duration_seconds'],
        [clean_label('raw_outcome'), 'outcome'],
        ['lead_keys.record_key', 'known_lead_id'],
        ['opportunity_keys.record_key', 'known_opportunity_id'],
    ],
    rules=[
        ['occurred_at is null', 'unparseable_timestamp'],
        ["activity_type not in ('call', 'email', 'meeting')", 'unknown_activity_type'],
        ['raw_duration_seconds is not null and duration_seconds is null', 'unparseable_number'],
        ['lead_id is not null and known_lead_id is null', 'orphan_reference'],
        ['opportunity_id is not null and known_opportunity_id is null', 'orphan_reference'],
    ],
    joins="left join (select record_key from " ~ ref('base_generic__leads')
        ~ " where row_status = 'staged') as lead_keys on lead_keys.record_key = " ~ clean_id('raw.raw_lead_id')
        ~ " left join (select record_key from " ~ ref('base_generic__opportunities')
        ~ " where row_status = 'staged') as opportunity_keys on opportunity_keys.record_key = "
        ~ clean_id('raw.raw_opportunity_id'),
) }}
