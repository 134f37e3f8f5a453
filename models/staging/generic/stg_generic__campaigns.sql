{{ staged('generic', 'campaigns') }}
