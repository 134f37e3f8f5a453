{{ staged('generic', 'activities') }}
