{{ staged('generic', 'users') }}
