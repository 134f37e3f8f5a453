{#- References between export files. A reference column is checked against every
    row of its parent's file, not only the staged ones, so that a child says why
    its parent is missing:

      parent staged                          the row is staged
      parent set aside (after_as_of_date,    parent_set_aside: set aside too, not
        sample_campaign, soft_deleted,         distrusted (the parent did not exist
        deleted_in_source, parent_set_aside)   yet, or was deleted in the CRM)
      parent quarantined by any other rule   parent_quarantined
      the key is in no row of the file       orphan_reference

    rule_detail names the parent: "opportunities 006xx: negative_amount", or
    "opportunity_id 006xx is in no row of opportunities". A superseded version
    of a parent does not count: a record is staged in its latest good version. -#}

{#- Left join (as `alias`) of the state of each key of the parent's file. -#}
{% macro join_parent(alias, source_name, parent_entity, column) -%}
    left join (
        select
            record_key,
            max(case when row_status = 'staged' then 1 else 0 end) as is_staged,
            min(quarantine_rule) as parent_rule
        from {{ ref('base_' ~ source_name ~ '__' ~ parent_entity) }}
        where record_key is not null
        group by record_key
    ) as {{ alias }} on {{ alias }}.record_key = {{ clean_id('raw.raw_' ~ column) }}
{%- endmacro %}

{#- Parsed column: 'staged', the parent's rule, or null when the key is in no row. -#}
{% macro parent_state(alias) -%}
    case when {{ alias }}.is_staged = 1 then 'staged' else {{ alias }}.parent_rule end
{%- endmacro %}

{% macro parent_set_aside_rules() -%}
    {{ return(['after_as_of_date', 'sample_campaign', 'soft_deleted', 'deleted_in_source', 'parent_set_aside']) }}
{%- endmacro %}

{#- The rules of one reference column (state: its parent_state column). required:
    an empty value is an orphan_reference too. -#}
{% macro reference_rules(column, state, parent_entity, required=false) -%}
    {%- set set_aside = "'" ~ parent_set_aside_rules() | join("', '") ~ "'" -%}
    {%- set parent = dbt.concat(["'" ~ parent_entity ~ " '", column, "': '", state]) -%}
    {%- set rules = [] -%}
    {%- if required -%}
        {%- do rules.append([column ~ ' is null', 'orphan_reference', "'" ~ column ~ " is empty'"]) -%}
    {%- endif -%}
    {%- do rules.append([column ~ ' is not null and ' ~ state ~ ' in (' ~ set_aside ~ ')', 'parent_set_aside', parent]) -%}
    {%- do rules.append([column ~ ' is not null and ' ~ state ~ " != 'staged'", 'parent_quarantined', parent]) -%}
    {%- do rules.append([column ~ ' is not null and ' ~ state ~ ' is null', 'orphan_reference',
        dbt.concat(["'" ~ column ~ " '", column, "' is in no row of " ~ parent_entity ~ "'"])]) -%}
    {{ return(rules) }}
{%- endmacro %}
