{{ staged('generic', 'opportunity_changes') }}
