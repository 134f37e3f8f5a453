{#- raw = staged + quarantined + exact duplicates + superseded, per entity. -#}
{% test every_raw_row_accounted_for(model) %}
    select *
    from {{ model }}
    where raw_rows != staged_rows + quarantined_rows + exact_duplicate_rows + superseded_rows
{% endtest %}
