{#- Salesforce's forecast category, as label (Best Case) or API value (BestCase,
    Forecast), in the generic codes: pipeline, best_case, commit, closed, omitted. -#}
{% macro sf_forecast_category(column) -%}
    case lower(replace(replace(trim({{ column }}), ' ', ''), '_', ''))
        when 'bestcase' then 'best_case'
        when 'forecast' then 'commit'
        else lower(trim({{ column }}))
    end
{%- endmacro %}
