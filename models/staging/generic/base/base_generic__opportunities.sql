{{ base_opportunities('generic') }}
