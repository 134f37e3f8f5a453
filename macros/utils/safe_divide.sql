{#- numerator / denominator as a double; null (not an error) when the denominator is 0 or null. -#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) != 0
            then cast(({{ numerator }}) as {{ type_double() }}) / ({{ denominator }})
    end
{%- endmacro %}

{#- An 8-byte float on every target (dbt.type_float() is 4 bytes on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'the_model')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double{%- endmacro %}

{% macro postgres__type_double() -%}double precision{%- endmacro %}
