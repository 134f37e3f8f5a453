{{ staged('salesforce', 'leads') }}
