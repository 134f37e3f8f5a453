{{ staged('generic', 'opportunities') }}
