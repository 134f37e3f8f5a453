{#- Warns, per entity and rule, while rows sit in quarantine (see
    quarantine.quarantined_rows for the rows), except the bad rows the demo generator
    planted on purpose: its export folder's truth.json lists them per entity and rule
    (planted_quarantine), and exactly those are information, which
    `python -m themodel summary` reports. A real export has no such list, so every
    quarantined row warns; on the demo a count other than the planted one warns too
    (good rows quarantined, or planted ones let through). -#}
{% test quarantine_is_empty(model, column_name) %}
    with

    quarantined as (
        select
            entity,
            rule,
            count(*) as row_count
        from {{ ref('quarantined_rows') }}
        group by entity, rule
    ),

    planted as (
        {{ planted_quarantine_rows() }}
    ),

    compared as (
        select
            coalesce(quarantined.entity, planted.entity) as entity,
            coalesce(quarantined.rule, planted.rule) as rule,
            coalesce(quarantined.row_count, 0) as rows_in_quarantine,
            coalesce(planted.row_count, 0) as planted_rows
        from quarantined
        full outer join planted
            on quarantined.entity = planted.entity and quarantined.rule = planted.rule
    )

    select * from compared
    where rows_in_quarantine <> planted_rows
{% endtest %}
