{{ staged('generic', 'lead_status_events') }}
