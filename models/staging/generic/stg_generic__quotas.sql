{{ staged('generic', 'quotas') }}
