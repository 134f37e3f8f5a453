{#- Join clause: the exchange rate (alias `rates`) valid on `day` for `currency`. -#}
{% macro join_rate_on(alias, currency, day) -%}
    left join {{ ref('stg_crm__exchange_rates') }} as {{ alias }}
        on {{ alias }}.currency = {{ currency }}
        and {{ alias }}.rate_date <= {{ day }}
        and ({{ alias }}.valid_to_date > {{ day }} or {{ alias }}.valid_to_date is null)
{%- endmacro %}
