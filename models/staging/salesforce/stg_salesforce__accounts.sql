{{ staged('salesforce', 'accounts') }}
