{{ stage_export(
    'generic', 'lead_status_events', key='lead_id',
    parsed=[
        [clean_id('raw_event_id'), 'event_id'],
        [clean_id('raw_lead_id'), 'lead_id'],
        [parse_timestamp('raw_changed_at'), 'changed_at'],
        ['from_map.canonical_stage', 'from_status'],
        ['to_map.canonical_stage', 'to_status'],
        ['lead_keys.record_key', 'known_lead_id'],
    ],
    rules=[
        ['changed_at is null', 'unparseable_timestamp'],
        ['to_status is null', 'unknown_status_label'],
        ['raw_from_status is not null and from_status is null', 'unknown_status_label'],
        ['known_lead_id is null', 'orphan_reference'],
    ],
    joins=join_stage_label('from_map', 'from_status', 'lead', 'generic')
        ~ " " ~ join_stage_label('to_map', 'to_status', 'lead', 'generic')
        ~ " left join (select record_key from " ~ ref('base_generic__leads')
        ~ " where row_status = 'staged') as lead_keys on lead_keys.record_key = "
        ~ clean_id('raw.raw_lead_id'),
) }}
