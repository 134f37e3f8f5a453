{{ base_activities('generic') }}
