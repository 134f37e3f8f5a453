{{ base_opportunity_changes('salesforce') }}
