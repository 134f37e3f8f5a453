{{ base_contracts('salesforce') }}
