{#- The Wilson score interval of a proportion successes / trials (95% with the
    default z = 1.96): better than the normal interval for small samples and rates
    near 0 or 1. Null when trials is 0 or null. Exactly 0 (low) with no successes and
    exactly 1 (high) with no failures, so the interval always holds the rate despite
    floating-point rounding.
        center    = (p + z^2 / 2n) / (1 + z^2 / n)
        half      = z * sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)
        low, high = center -/+ half -#}
{% macro wilson_interval_low(successes, trials, z=1.96) -%}
    {{ _wilson_interval_bound(successes, trials, z, '-') }}
{%- endmacro %}

{% macro wilson_interval_high(successes, trials, z=1.96) -%}
    {{ _wilson_interval_bound(successes, trials, z, '+') }}
{%- endmacro %}

{% macro _wilson_interval_bound(successes, trials, z, sign) -%}
    {%- set n = 'cast((' ~ trials ~ ') as ' ~ type_double() ~ ')' -%}
    {%- set p = '(cast((' ~ successes ~ ') as ' ~ type_double() ~ ') / ' ~ n ~ ')' -%}
    case
        when ({{ trials }}) is null or ({{ trials }}) <= 0 then null
        {%- if sign == '-' %}
            when ({{ successes }}) = 0 then 0.0
        {%- else %}
            when ({{ successes }}) = ({{ trials }}) then 1.0
        {%- endif %}
        else {{ 'greatest(0.0, ' if sign == '-' else 'least(1.0, ' }}
                (
                    {{ p }} + {{ z }} * {{ z }} / (2 * {{ n }})
                    {{ sign }} {{ z }} * sqrt(
                        {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
                    )
                ) / (1 + {{ z }} * {{ z }} / {{ n }}))
    end
{%- endmacro %}
