{#- Fails when an entity's quarantined share passes var('quarantine_max_share'):
    the export is too broken to trust its figures. -#}
{% test quarantine_share_within_threshold(model, column_name) %}
    select
        entity,
        {{ column_name }} as quarantined_share,
        {{ var('quarantine_max_share') }} as max_share
    from {{ model }}
    where {{ column_name }} > {{ var('quarantine_max_share') }}
{% endtest %}
