{{ staged('generic', 'leads') }}
