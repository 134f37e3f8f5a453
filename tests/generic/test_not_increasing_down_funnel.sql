{#- Within a cohort, a later funnel step never counts more than an earlier one. -#}
{% test not_increasing_down_funnel(model, column_name, cohort_columns, step_order_column) %}
    with steps as (
        select
            {{ cohort_columns | join(', ') }},
            {{ step_order_column }} as step_order,
            {{ column_name }} as step_count,
            lag({{ column_name }}) over (
                partition by {{ cohort_columns | join(', ') }}
                order by {{ step_order_column }}
            ) as previous_step_count
        from {{ model }}
    )

    select *
    from steps
    where step_count > previous_step_count
{% endtest %}
