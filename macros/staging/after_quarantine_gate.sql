{#- Makes the calling model a child of the quarantine gate
    (models/staging/quarantine/quarantine_gate.sql), so dbt builds it only after
    the gate passed and skips it when the gate stops the build. Every model that
    reads a staging model calls it; the rest follow through their parents.
    A unit test of the model mocks its parents and has no gate: nothing there. -#}
{% macro after_quarantine_gate() -%}
    {%- if not (execute and model.resource_type == 'unit_test') -%}
        -- depends_on: {{ ref('quarantine_gate') }}, built after the quarantine gate
    {%- endif -%}
{%- endmacro %}
