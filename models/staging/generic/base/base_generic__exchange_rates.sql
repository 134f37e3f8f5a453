{{ base_exchange_rates('generic') }}
