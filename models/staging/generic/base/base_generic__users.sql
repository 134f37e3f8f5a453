{{ stage_export(
    'generic', 'users', key='user_id',
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
        ['hired_at is null', 'unparseable_timestamp'],
        ['raw_terminated_at is not null and terminated_at is null', 'unparseable_timestamp'],
    ],
    version_by='modified_at',
) }}
