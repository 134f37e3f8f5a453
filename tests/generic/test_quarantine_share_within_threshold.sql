{#- Fails when an entity's quarantined share passes var('quarantine_max_share'):
    the export is too broken to trust its figures. When it fails, the build stops
    with a message that says why (a plain test failure says only "Got N results"):
    per entity the rules, their counts, shares and three example keys, and the fix
    (quarantine_share_message). -#}
{% test quarantine_share_within_threshold(model, column_name) %}
    {#- a ref outside `execute`, so the test depends on the quarantined rows it quotes -#}
    {%- set quarantined = ref('quarantined_rows') -%}
    {%- set failing_sql -%}
        select
            entity,
            {{ column_name }} as quarantined_share,
            {{ var('quarantine_max_share') }} as max_share
        from {{ model }}
        where {{ column_name }} > {{ var('quarantine_max_share') }}
    {%- endset -%}
    {%- if execute -%}
        {%- set failing = run_query(failing_sql ~ ' order by entity') -%}
        {%- if failing.rows | length > 0 -%}
            {{ exceptions.raise_compiler_error(quarantine_share_message(model, quarantined, failing)) }}
        {%- endif -%}
    {%- endif -%}
    {{ failing_sql }}
{% endtest %}
