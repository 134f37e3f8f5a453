{{ staged('generic', 'exchange_rates') }}
