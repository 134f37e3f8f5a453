{{ staged('salesforce', 'activities') }}
