-- The opportunity_changes export file as text, one row per line of the file.
{{ read_export('generic', 'opportunity_changes') }}
