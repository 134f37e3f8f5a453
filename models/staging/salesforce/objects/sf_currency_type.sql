-- The Salesforce currency_type export (Data Export or connector table) as text, one row per line.
{{ read_export('salesforce', 'currency_type') }}
