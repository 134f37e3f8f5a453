{{ staged('salesforce', 'opportunity_changes') }}
