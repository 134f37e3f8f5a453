{#- below / in_band / above against a KPI's healthy band in seeds/kpi_targets.csv
    (alias `targets` must be joined on the metric). Null when the KPI is null. -#}
{% macro band_status(value, targets='targets') -%}
    case
        when {{ value }} is null then null
        when {{ value }} < {{ targets }}.lower_bound then 'below'
        when {{ value }} > {{ targets }}.upper_bound then 'above'
        else 'in_band'
    end
{%- endmacro %}
