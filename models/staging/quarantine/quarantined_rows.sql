-- Every export row that was not trusted, with the rule it broke and its raw text.
-- noqa: disable=LT02
-- (LT02 cannot follow indentation through the Jinja loop that unions the entities)
{%- set entities = export_entities() %}

with quarantined as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        _source_file as source_file,
        coalesce(
            record_key, {{ dbt.concat(["'row '", dbt.safe_cast('_source_row', dbt.type_string())]) }}
        ) as record_key,
        _source_row as source_row,
        quarantine_rule as rule,
        rule_detail,
        raw_values
    from {{ ref('base_' ~ var('crm_source') ~ '__' ~ entity) }}
    where row_status = 'quarantined'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from quarantined
