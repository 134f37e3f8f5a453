{{ stage_export(
    'generic', 'user_roles', key='user_id',
    parsed=[
        [clean_id('raw_user_id'), 'user_id'],
        [clean_text('raw_role_label'), 'role_label'],
        ['role_map.canonical_role', 'role'],
        [clean_text('raw_team'), 'team'],
        [parse_timestamp('raw_valid_from'), 'valid_from'],
        [parse_timestamp('raw_valid_to'), 'valid_to'],
        ['user_keys.record_key', 'known_user_id'],
    ],
    rules=[
        ['valid_from is null', 'unparseable_timestamp'],
        ['raw_valid_to is not null and valid_to is null', 'unparseable_timestamp'],
        ['role is null', 'unknown_role_label'],
        ['known_user_id is null', 'orphan_reference'],
    ],
    joins="left join " ~ ref('role_mapping') ~ " as role_map on " ~ clean_label('role_map.source_label')
        ~ " = " ~ clean_label('raw.raw_role_label')
        ~ " left join (select record_key from " ~ ref('base_generic__users')
        ~ " where row_status = 'staged') as user_keys on user_keys.record_key = " ~ clean_id('raw.raw_user_id'),
) }}
