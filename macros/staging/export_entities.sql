{#- The export entities every source format stages, with the column that keys
    each one in its export file. Quarantine and row accounting loop over it. -#}
{% macro export_entities() -%}
    {{ return([
        'users', 'user_roles', 'accounts', 'campaigns', 'exchange_rates', 'leads',
        'lead_status_events', 'activities', 'opportunities', 'opportunity_changes',
        'contracts', 'quotas',
    ]) }}
{%- endmacro %}
