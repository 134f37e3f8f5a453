-- The Salesforce user_role export (Data Export or connector table) as text, one row per line.
{{ read_export('salesforce', 'user_role') }}
