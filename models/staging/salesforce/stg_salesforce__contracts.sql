{{ staged('salesforce', 'contracts') }}
