{{ staged('salesforce', 'lead_status_events') }}
