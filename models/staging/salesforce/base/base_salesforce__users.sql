{{ base_users('salesforce') }}
