-- The Salesforce lead_history export (Data Export or connector table) as text, one row per line.
{{ read_export('salesforce', 'lead_history') }}
