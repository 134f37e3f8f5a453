{{ staged('salesforce', 'quotas') }}
