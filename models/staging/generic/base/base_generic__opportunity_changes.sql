{{ base_opportunity_changes('generic') }}
