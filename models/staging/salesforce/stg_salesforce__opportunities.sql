{{ staged('salesforce', 'opportunities') }}
