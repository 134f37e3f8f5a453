{#- Warns, naming the deals, when a deal's field history ends in another stage
    than its own record says (the flag column is true): the record's stage is
    used as its last event, so its figures follow the record, but its dates in
    between are only as good as the history. -#}
{% test history_agrees_with_record(model, column_name, key, stage) %}
    {%- if execute and load_relation(model) is not none %}
        {%- set found = run_query(
            "select " ~ key ~ ", " ~ stage ~ " from " ~ model ~ " where " ~ column_name
            ~ " order by " ~ key) -%}
        {%- if found.rows | length > 0 -%}
            {%- set named = [] -%}
            {%- for row in found.rows[:10] -%}
                {%- do named.append(row[0] ~ " (record: " ~ row[1] ~ ")") -%}
            {%- endfor -%}
            {{ log("History contradicted: " ~ found.rows | length ~ " deal(s) whose stage history (opportunity changes,"
                ~ " field stage) ends in another stage than the deal's own record: " ~ named | join(', ')
                ~ (" and more" if found.rows | length > 10 else "")
                ~ ". Rule history_contradicts_record: the record's stage is the newer truth and is used as the"
                ~ " deal's last event (is_history_contradicted in fct_opportunities). Fix: export the deal's"
                ~ " missing stage changes, or correct its stage in the CRM.", info=true) }}
        {%- endif -%}
    {%- endif %}
    select
        {{ key }},
        {{ stage }}
    from {{ model }}
    where {{ column_name }}
{% endtest %}
