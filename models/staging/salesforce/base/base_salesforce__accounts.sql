{{ base_accounts('salesforce') }}
