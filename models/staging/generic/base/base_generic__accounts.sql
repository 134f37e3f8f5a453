{{ base_accounts('generic') }}
