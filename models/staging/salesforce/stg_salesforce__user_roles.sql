{{ staged('salesforce', 'user_roles') }}
