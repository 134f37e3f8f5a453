{#- History rows saved in the same moment (same record, field and time) are
    ordered by their old -> new chain: a row whose old value is another's new
    value comes after it. Emits CTEs (ending with a comma) that give each such
    row its chain depth: how many links of the same moment lead up to it,
    followed up to max_depth links (a cycle, a -> b and b -> a, stops there and
    the record's current value decides). No recursive SQL: Spark has none.
    `moment` lists the columns of a moment, `row_ref` a column unique within
    the record; the last CTE is `name` (moment columns, row_ref, chain_depth). -#}
{% macro chain_depths(name, changes, moment, row_ref, old_value, new_value, max_depth=4) -%}
{{ name }}_links as (
    select distinct
        {%- for column in moment %}
        later.{{ column }},
        {%- endfor %}
        later.{{ row_ref }},
        earlier.{{ row_ref }} as earlier_ref
    from {{ changes }} as later
    inner join {{ changes }} as earlier
        on
            {%- for column in moment %}
            later.{{ column }} = earlier.{{ column }}
            and {% endfor -%}
            later.{{ old_value }} = earlier.{{ new_value }}
            and later.{{ row_ref }} != earlier.{{ row_ref }}
),

{{ name }}_reach_1 as (
    select * from {{ name }}_links
),
{%- for depth in range(2, max_depth + 1) %}

{{ name }}_reach_{{ depth }} as (
    select distinct
        {%- for column in moment %}
        reach.{{ column }},
        {%- endfor %}
        reach.{{ row_ref }},
        links.earlier_ref
    from {{ name }}_reach_{{ depth - 1 }} as reach
    inner join {{ name }}_links as links
        on
            {%- for column in moment %}
            reach.{{ column }} = links.{{ column }}
            and {% endfor -%}
            reach.earlier_ref = links.{{ row_ref }}
),
{%- endfor %}

{{ name }} as (
    select
        {%- for column in moment %}
        {{ column }},
        {%- endfor %}
        {{ row_ref }},
        max(depth) as chain_depth
    from (
        {%- for depth in range(1, max_depth + 1) %}
        select
            {%- for column in moment %}
            {{ column }},
            {%- endfor %}
            {{ row_ref }},
            {{ depth }} as depth
        from {{ name }}_reach_{{ depth }}
        {{ 'union all' if not loop.last }}
        {%- endfor %}
    ) as reached
    group by {% for column in moment %}{{ column }}, {% endfor %}{{ row_ref }}
),
{%- endmacro %}
