{{ base_quotas('salesforce') }}
