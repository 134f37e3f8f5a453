{{ base_opportunities('salesforce') }}
