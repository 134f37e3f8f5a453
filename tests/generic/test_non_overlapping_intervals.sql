{#- Intervals of one entity never overlap: each starts at or after the
    previous one ended. A null end means "still open" and must be the last. -#}
{% test non_overlapping_intervals(model, partition_by, start_column, end_column, order_by=none) %}
    with ordered as (
        select
            {{ partition_by }} as partition_key,
            {{ start_column }} as interval_start,
            {{ end_column }} as interval_end,
            lag({{ end_column }}) over (
                partition by {{ partition_by }}
                order by {{ start_column }}{% if order_by %}, {{ order_by }}{% endif %}
            ) as previous_end,
            lag(case when {{ end_column }} is null then 1 else 0 end) over (
                partition by {{ partition_by }}
                order by {{ start_column }}{% if order_by %}, {{ order_by }}{% endif %}
            ) as previous_is_open
        from {{ model }}
    )

    select *
    from ordered
    where previous_is_open = 1 or interval_start < previous_end
{% endtest %}
