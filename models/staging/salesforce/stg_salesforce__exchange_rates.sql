{{ staged('salesforce', 'exchange_rates') }}
