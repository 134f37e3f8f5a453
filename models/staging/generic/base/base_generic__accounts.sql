{{ stage_export(
    'generic', 'accounts', key='account_id',
    parsed=[
        [clean_id('raw_account_id'), 'account_id'],
        [clean_text('raw_account_name'), 'account_name'],
        [clean_label('raw_industry'), 'industry'],
        [parse_integer('raw_employee_count'), 'employee_count'],
        [clean_label('raw_segment'), 'segment_label'],
        ['upper(' ~ clean_text('raw_country') ~ ')', 'country'],
        [parse_timestamp('raw_created_at'), 'created_at'],
        [parse_timestamp('raw_modified_at'), 'modified_at'],
    ],
    rules=[
        ['raw_employee_count is not null and employee_count is null', 'unparseable_number'],
        ["segment_label is not null and segment_label not in ('smb', 'mid_market', 'enterprise')",
         'unknown_segment_label'],
    ],
    version_by='modified_at',
) }}
