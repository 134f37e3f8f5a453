{#- The rows where two relations' totals differ, for a singular test that ties a
    mart to the facts it summarises: keys missing on either side count as a
    difference (an undercount that drops a whole month fails too). `mart` and
    `facts` are CTE names holding the key columns and the value columns. -#}
{% macro totals_differ(mart, facts, keys, values) -%}
    select
        {%- for key in keys %}
        coalesce({{ mart }}.{{ key }}, {{ facts }}.{{ key }}) as {{ key }},
        {%- endfor %}
        {%- for value in values %}
        {{ mart }}.{{ value }} as mart_{{ value }},
        {{ facts }}.{{ value }} as facts_{{ value }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ mart }}
    full outer join {{ facts }}
        on
        {%- for key in keys %}
            {{ mart }}.{{ key }} = {{ facts }}.{{ key }}{% if not loop.last %} and{% endif %}
        {%- endfor %}
    where
    {%- for value in values %}
        coalesce({{ mart }}.{{ value }}, 0) != coalesce({{ facts }}.{{ value }}, 0){% if not loop.last %} or{% endif %}
    {%- endfor %}
{%- endmacro %}
