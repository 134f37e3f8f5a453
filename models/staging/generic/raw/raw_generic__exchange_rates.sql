-- The exchange_rates export file as text, one row per line of the file.
{{ read_export('generic', 'exchange_rates') }}
