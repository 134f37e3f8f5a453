{{ base_quotas('generic') }}
