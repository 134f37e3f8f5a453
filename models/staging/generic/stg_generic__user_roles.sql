{{ staged('generic', 'user_roles') }}
