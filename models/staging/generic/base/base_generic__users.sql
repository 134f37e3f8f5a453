{{ base_users('generic') }}
