-- The Salesforce dated_conversion_rate export (Data Export or connector table) as text, one row per line.
{{ read_export('salesforce', 'dated_conversion_rate') }}
