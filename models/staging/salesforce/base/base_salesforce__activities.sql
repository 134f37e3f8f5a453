{{ base_activities('salesforce') }}
