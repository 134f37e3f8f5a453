-- The Salesforce campaign export (Data Export or connector table) as text, one row per line.
{{ read_export('salesforce', 'campaign') }}
