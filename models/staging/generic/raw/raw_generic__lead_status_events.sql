-- The lead_status_events export file as text, one row per line of the file.
{{ read_export('generic', 'lead_status_events') }}
