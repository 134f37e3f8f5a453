{{ base_campaigns('salesforce') }}
