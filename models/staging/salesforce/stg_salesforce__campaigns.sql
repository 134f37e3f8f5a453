{{ staged('salesforce', 'campaigns') }}
