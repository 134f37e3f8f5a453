{#- Warns with the count per entity while any row sits in quarantine
    (see quarantine.quarantined_rows for the rows and rules). -#}
{% test quarantine_is_empty(model, column_name) %}
    select
        entity,
        {{ column_name }} as rows_in_quarantine
    from {{ model }}
    where {{ column_name }} > 0
{% endtest %}
