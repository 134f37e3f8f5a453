{#- Join clause: the exchange rate (alias `rates`) valid on `day` for `currency`. -#}
{% macro join_rate_on(alias, currency, day) -%}
    left join {{ ref('stg_crm__exchange_rates') }} as {{ alias }}
        on {{ alias }}.currency = {{ currency }}
        and {{ alias }}.rate_date <= {{ day }}
        and ({{ alias }}.valid_to_date > {{ day }} or {{ alias }}.valid_to_date is null)
{%- endmacro %}

{#- The reporting currency, resolved when a model compiles so that every model
    and mart label agrees: var('reporting_currency') when it is set; else the
    one base currency the export's rates state (Salesforce: the corporate
    currency of CurrencyType; generic: base_currency of exchange_rates); else
    the base currency of seeds/exchange_rates.csv. Unit tests pin the variable. -#}
{% macro reporting_currency() -%}
    {%- set chosen = var('reporting_currency') -%}
    {%- set stated = stated_base_currencies(query=not chosen) -%}
    {%- if chosen -%}
        {{ return(chosen | trim | upper) }}
    {%- endif -%}
    {%- if stated['export'] | length == 1 -%}
        {{ return(stated['export'][0]) }}
    {%- endif -%}
    {%- if stated['export'] | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "The export's exchange rates state several base currencies (" ~ stated['export'] | join(', ')
            ~ "), so the reporting currency cannot be taken from them: set the variable"
            ~ " reporting_currency, e.g. --vars '{reporting_currency: " ~ stated['export'][0] ~ "}'.") }}
    {%- endif -%}
    {%- if stated['seed'] | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "seeds/exchange_rates.csv states several base currencies (" ~ stated['seed'] | join(', ')
            ~ ") and the export names none: set the variable reporting_currency.") }}
    {%- endif -%}
    {#- XXX (ISO 4217: no currency) only where nothing is built yet: dbt compile, lint -#}
    {{ return(stated['seed'][0] if stated['seed'] else 'XXX') }}
{%- endmacro %}

{#- The currency of an amount the export gives none for: the org's corporate
    currency when the export names one, else the reporting currency. -#}
{% macro default_currency() -%}
    {%- set stated = stated_base_currencies() -%}
    {{ return(stated['export'][0] if stated['export'] | length == 1 else reporting_currency()) }}
{%- endmacro %}

{#- The distinct base currencies stated by the export's staged rates and by the
    seed: {'export': [...], 'seed': [...]}. Read from the graph, not ref(): every
    caller is already downstream of both (through stg_crm__exchange_rates), and
    a ref would make each unit test of a caller mock them. Unit tests see no
    data here, only their pinned variables. -#}
{% macro stated_base_currencies(query=true) -%}
    {%- set found = {'export': [], 'seed': []} -%}
    {%- if execute and query and model.resource_type != 'unit_test' -%}
        {%- for kind, node_id, condition in [
            ['export', 'model.' ~ project_name ~ '.base_' ~ var('crm_source') ~ '__exchange_rates',
                "row_status = 'staged' and base_currency is not null"],
            ['seed', 'seed.' ~ project_name ~ '.exchange_rates', 'base_currency is not null'],
        ] -%}
            {%- set node = graph.nodes.get(node_id) -%}
            {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) if node else none -%}
            {%- if relation is not none -%}
                {%- set rows = run_query(
                    "select distinct upper(trim(base_currency)) from " ~ relation
                    ~ " where " ~ condition ~ " order by 1") -%}
                {%- do found.update({kind: rows.columns[0].values() | list}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}

{#- Two CTEs (`<name>_gaps`, `<name>`): the parts of the periods in `lower` that
    no period in `higher` covers, per currency and base currency. `higher` holds
    non-overlapping periods; valid_to is a date (9999-12-31 for open). -#}
{% macro periods_not_covered(name, lower, higher) -%}
{{ name }}_gaps as (
    -- before each period of the higher tier, back to the end of the previous one
    select
        currency,
        base_currency,
        coalesce(previous_to, cast('1900-01-01' as date)) as gap_from,
        valid_from as gap_to
    from (
        select
            currency,
            base_currency,
            valid_from,
            lag(valid_to) over (partition by currency, base_currency order by valid_from) as previous_to
        from {{ higher }}
    ) as ordered
    where coalesce(previous_to, cast('1900-01-01' as date)) < valid_from
    union all
    -- after the last period of the higher tier
    select
        currency,
        base_currency,
        valid_to as gap_from,
        cast('9999-12-31' as date) as gap_to
    from (
        select
            currency,
            base_currency,
            valid_to,
            lead(valid_from) over (partition by currency, base_currency order by valid_from) as next_from
        from {{ higher }}
    ) as ordered
    where next_from is null and valid_to < cast('9999-12-31' as date)
),

{{ name }} as (
    select
        lower_rates.currency,
        lower_rates.base_currency,
        lower_rates.base_per_unit,
        greatest(lower_rates.valid_from, gaps.gap_from) as valid_from,
        least(lower_rates.valid_to, gaps.gap_to) as valid_to,
        lower_rates.rate_source
    from {{ lower }} as lower_rates
    inner join {{ name }}_gaps as gaps
        on
            lower_rates.currency = gaps.currency
            and lower_rates.base_currency = gaps.base_currency
            and lower_rates.valid_from < gaps.gap_to
            and gaps.gap_from < lower_rates.valid_to
    union all
    -- a currency the higher tier does not rate in that base keeps all its periods
    select lower_rates.*
    from {{ lower }} as lower_rates
    left join (select distinct currency, base_currency from {{ higher }}) as rated
        on
            lower_rates.currency = rated.currency
            and lower_rates.base_currency = rated.base_currency
    where rated.currency is null
)
{%- endmacro %}

{#- Post-hook of stg_crm__opportunities: the build says once how many deals had
    no currency in the export and which currency they were taken to be in. -#}
{% macro report_defaulted_currency() -%}
    {%- if execute -%}
        {%- set counts = run_query(
            "select sum(case when is_currency_defaulted then 1 else 0 end), count(*) from " ~ this).rows[0] -%}
        {%- if counts[0] and counts[0] > 0 -%}
            {%- set stated = stated_base_currencies() -%}
            {%- if stated['export'] | length == 1 -%}
                {%- set why = "the corporate currency the export's exchange rates are based on" -%}
            {%- else -%}
                {%- set why = "the reporting currency, as the export names no corporate currency;"
                    ~ " if the CRM's amounts are in another currency, set reporting_currency to it" -%}
            {%- endif -%}
            {{ log("Currency: " ~ counts[0] ~ " of " ~ counts[1] ~ " opportunities have no currency in the export"
                ~ " (no CurrencyIsoCode / currency value); their amounts are taken to be in "
                ~ default_currency() ~ ", " ~ why ~ ".", info=true) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- var('missing_rate_policy'), checked: what an amount gets when its currency has
    no rate on its date. quarantine: the row is quarantined as
    missing_exchange_rate. nearest_earlier: stg_crm__exchange_rates carries each
    currency's last rate forward over the days no rate covers (rate_source
    nearest_earlier), and the build warns how many amounts took such a rate. -#}
{% macro missing_rate_policy() -%}
    {%- set policy = var('missing_rate_policy') | string | trim | lower -%}
    {%- if policy not in ['quarantine', 'nearest_earlier'] -%}
        {{ exceptions.raise_compiler_error(
            "The variable missing_rate_policy is '" ~ var('missing_rate_policy') ~ "': use quarantine"
            ~ " (an amount whose currency has no rate on its date is quarantined as missing_exchange_rate)"
            ~ " or nearest_earlier (it is converted at the currency's nearest earlier rate).") }}
    {%- endif -%}
    {{ return(policy) }}
{%- endmacro %}

{#- Left join (as `alias`) of the rate period of `currency` that covers `day`
    (expressions over the raw row of a base model): its currency is null when
    none does. Periods of one currency never overlap, so a row joins at most one. -#}
{% macro join_rate_period(alias, currency, day) -%}
    left join (
        select currency, rate_date, valid_to_date from {{ ref('stg_crm__exchange_rates') }}
    ) as {{ alias }}
        on {{ alias }}.currency = {{ currency }}
        and {{ alias }}.rate_date <= {{ day }}
        and ({{ alias }}.valid_to_date > {{ day }} or {{ alias }}.valid_to_date is null)
{%- endmacro %}

{#- The rule of an amount whose currency (rated on some day: unknown_currency
    comes first) has no rate on its date. rated: the join_rate_period alias's
    currency, as a parsed column. -#}
{% macro missing_rate_rule(amount, currency, day, rated) -%}
    {{ return([
        amount ~ ' is not null and ' ~ day ~ ' is not null and ' ~ rated ~ ' is null',
        'missing_exchange_rate',
        dbt.concat(["'no ' ", currency, "' rate on '", dbt.safe_cast(day, dbt.type_string()),
            "': add it to the export or seeds/exchange_rates.csv, or set missing_rate_policy to nearest_earlier'"]),
    ]) }}
{%- endmacro %}

{#- Post-hook of the models that convert amounts: with missing_rate_policy
    nearest_earlier, warn how many amounts of which currency took the nearest
    earlier rate (the day had none of its own). -#}
{% macro report_nearest_earlier_rates(amount, day, entity) -%}
    {%- if execute and missing_rate_policy() == 'nearest_earlier' -%}
        {%- set rows = run_query(
            "select rows_of_entity.currency, count(*) from " ~ this ~ " as rows_of_entity"
            ~ " inner join " ~ ref('stg_crm__exchange_rates') ~ " as rates"
            ~ " on rates.currency = rows_of_entity.currency and rates.rate_source = 'nearest_earlier'"
            ~ " and rates.rate_date <= " ~ day ~ " and (rates.valid_to_date > " ~ day ~ " or rates.valid_to_date is null)"
            ~ " where rows_of_entity." ~ amount ~ " is not null"
            ~ " group by rows_of_entity.currency order by rows_of_entity.currency").rows -%}
        {%- for currency, count in rows -%}
            {%- do exceptions.warn("Exchange rates: " ~ count ~ " " ~ entity ~ " in " ~ currency
                ~ " have no " ~ currency ~ " rate on their date and were converted at the nearest earlier"
                ~ " rate (missing_rate_policy nearest_earlier); add the missing rates to the export"
                ~ " or seeds/exchange_rates.csv for exact amounts.") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- The currency of an amount in a base model: the column's text, upper case, or
    the default currency when it is empty (the same expression the base models parse). -#}
{% macro currency_of(column) -%}
    coalesce(upper({{ clean_text(column) }}), '{{ default_currency() }}')
{%- endmacro %}
