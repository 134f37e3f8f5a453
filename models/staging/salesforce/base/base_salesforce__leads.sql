{{ base_leads('salesforce') }}
