{{ base_exchange_rates('salesforce') }}
