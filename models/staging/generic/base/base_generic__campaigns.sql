{{ base_campaigns('generic') }}
