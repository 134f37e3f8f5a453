-- The Salesforce forecasting_quota export (Data Export or connector table) as text, one row per line.
{{ read_export('salesforce', 'forecasting_quota') }}
