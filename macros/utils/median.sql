{#- The median of an expression as an aggregate, on every target. -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'the_model')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}
