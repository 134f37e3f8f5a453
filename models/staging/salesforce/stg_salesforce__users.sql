{{ staged('salesforce', 'users') }}
