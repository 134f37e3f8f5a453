-- The Salesforce opportunity_field_history export (Data Export or connector table) as text, one row per line.
{{ read_export('salesforce', 'opportunity_field_history') }}
