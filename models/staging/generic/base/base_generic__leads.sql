{{ base_leads('generic') }}
