{{ staged('generic', 'contracts') }}
