{{ base_contracts('generic') }}
