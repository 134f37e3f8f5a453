{{ staged('generic', 'accounts') }}
