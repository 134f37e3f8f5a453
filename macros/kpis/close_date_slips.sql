{#- A close-date version is a promise when it lasted at least a minute (or still
    holds). One replaced sooner (a placeholder an import or automation replaced
    within the same second) promised nothing: changes through it collapse into one,
    from the version before it to the version after it. -#}
{% macro is_close_date_promise(valid_from='valid_from', valid_to='valid_to') -%}
    ({{ valid_to }} is null or {{ valid_to }} >= {{ dbt.dateadd('minute', 1, valid_from) }})
{%- endmacro %}

{#- A slip of more than var('max_slip_days') days either way is an outlier (a
    mistyped year, a placeholder date): kept and flagged, but left out of every
    average and sum of slip days. -#}
{% macro is_slip_outlier(slip_days) -%}
    (abs({{ slip_days }}) > {{ var('max_slip_days') }})
{%- endmacro %}
