{{ base_lead_status_events('salesforce') }}
