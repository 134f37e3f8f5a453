{#- The body of every base_<source>__<entity> model: take the raw text rows, parse,
    and give each raw row exactly one row_status:

      exact_duplicate  a repeat of an earlier row, every column equal (re-export)
      quarantined      breaks a rule; quarantine_rule says which (the first it breaks)
      superseded       an older version of a record (same key, earlier version_by)
      staged           everything else: what stg_ models publish

    Rows with a unique key that disagree and cannot be ordered (no version_by, or
    the same latest version_by) are all quarantined as conflicting_duplicate:
    which one is right is for a person to decide, not for the file order.

    parsed: list of [sql expression over the raw text columns raw_<name>, alias]
    rules:  ordered list of [condition over raw and parsed columns, rule name] or
            [condition, rule name, detail]: detail is a text expression that tells
            a person more (the parent a reference points at), in rule_detail
    joins:  extra left joins (label mappings, reference keys) visible to parsed and rules
    key_is_unique: false for event files keyed by their parent (one lead, many events) -#}
{% macro stage_export(source_name, entity, key, parsed, rules=[], version_by=none, joins='', key_is_unique=true) -%}
{%- set columns = export_columns(source_name)[entity]['columns'] -%}
with raw_rows as (
    select * from {{ ref('raw_' ~ source_name ~ '__' ~ entity) }}
),

copies_numbered as (
    select
        {%- for column in columns %}
        {{ column }} as raw_{{ column }},
        {%- endfor %}
        _source_row,
        _source_file,
        row_number() over (
            partition by {{ columns | join(', ') }}
            order by _source_row
        ) as _copy_number
    from raw_rows
),

parsed as (
    select
        raw.*,
        {%- for expression, alias in parsed %}
        {{ expression }} as {{ alias }}{{ ',' if not loop.last }}
        {%- endfor %}
    from copies_numbered as raw
    {{ joins }}
),

ruled as (
    select
        parsed.*,
        case
            when _copy_number > 1 then null
            when {{ key }} is null then 'missing_key'
            {%- if 'is_deleted' in columns %}
            when {{ parse_boolean('raw_is_deleted') }} then 'soft_deleted'
            {#- a connector's history mode shows the record deleted (its versions ended, none active) -#}
            when lower(trim(raw_is_deleted)) = 'deleted_in_source' then 'deleted_in_source'
            when {{ clean_text('raw_is_deleted') }} is not null and {{ parse_boolean('raw_is_deleted') }} is null
                then 'unparseable_boolean'
            {%- endif %}
            {%- for spec in rules %}
            when {{ spec[0] }} then '{{ spec[1] }}'
            {%- endfor %}
        end as first_rule,
        -- the same order of rules: the detail of the rule that decided
        case
            when _copy_number > 1 or {{ key }} is null then null
            {%- if 'is_deleted' in columns %}
            when {{ parse_boolean('raw_is_deleted') }} or lower(trim(raw_is_deleted)) = 'deleted_in_source' then null
            {%- endif %}
            {%- for spec in rules %}
            when {{ spec[0] }} then {{ spec[2] if spec | length > 2 else 'null' }}
            {%- endfor %}
        end as first_rule_detail
    from parsed
),

-- the candidates for staging sharing a key and its latest version
compared as (
    select
        ruled.*,
        {%- if key_is_unique %}
        case
            when _copy_number = 1 and first_rule is null
                then count(*) over (
                    partition by {{ key }}, _copy_number, first_rule{% if version_by %}, {{ version_by }}{% endif %}
                )
        end as _same_version_rows,
        {%- if version_by %}
        case
            when _copy_number = 1 and first_rule is null
                then max({{ version_by }}) over (partition by {{ key }}, _copy_number, first_rule)
        end as _latest_version
        {%- else %}
        null as _latest_version
        {%- endif %}
        {%- else %}
        1 as _same_version_rows,
        null as _latest_version
        {%- endif %}
    from ruled
),

checked as (
    select
        compared.*,
        coalesce(
            first_rule,
            case
                when
                    _same_version_rows > 1
                    {%- if version_by and key_is_unique %}
                    and ({{ version_by }} = _latest_version or _latest_version is null)
                    {%- endif %}
                    then 'conflicting_duplicate'
            end
        ) as quarantine_rule
    from compared
),

versioned as (
    select
        checked.*,
        {%- if version_by %}
        case
            when _copy_number = 1 and quarantine_rule is null
                then row_number() over (
                    partition by {{ key }}, _copy_number, quarantine_rule
                    order by {{ version_by }} desc, _source_row desc
                )
        end as _version_rank
        {%- else %}
        1 as _version_rank
        {%- endif %}
    from checked
),

-- the raw text columns stay behind: quarantine reads raw_values, and millions
-- of text copies of what was just parsed only slowed every build
final as (
    select
        {%- for expression, alias in parsed %}
        versioned.{{ alias }},
        {%- endfor %}
        versioned._source_row,
        versioned._source_file,
        versioned._copy_number,
        versioned.quarantine_rule,
        case
            when _copy_number = 1 and quarantine_rule = first_rule
                then cast(first_rule_detail as {{ dbt.type_string() }})
        end as rule_detail,
        versioned._version_rank,
        -- only quarantine shows it: text built for millions of staged rows is wasted
        case
            when _copy_number = 1 and quarantine_rule is not null
                then {{ raw_values_text(columns, 'versioned', personal_columns(columns, parsed)) }}
        end as raw_values,
        cast({{ key }} as {{ dbt.type_string() }}) as record_key,
        case
            when _copy_number > 1 then 'exact_duplicate'
            when quarantine_rule is not null then 'quarantined'
            when _version_rank > 1 then 'superseded'
            else 'staged'
        end as row_status
    from versioned
)

select * from final
{%- endmacro %}

{#- The raw text of a row, for people reading quarantine: "col=value; col=value".
    Personal columns show the hash staging gives them, never their text: BI users
    read quarantine, and the row stays traceable by its file and position. -#}
{% macro raw_values_text(columns, relation='raw', personal=[]) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("'" ~ column ~ "='") -%}
        {%- if column in personal -%}
            {%- do parts.append("coalesce(" ~ hash_personal(relation ~ ".raw_" ~ column) ~ ", '')") -%}
        {%- else -%}
            {%- do parts.append("coalesce(" ~ relation ~ ".raw_" ~ column ~ ", '')") -%}
        {%- endif -%}
        {%- if not loop.last %}{% do parts.append("'; '") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{#- Left join to the label mapping seed for one label column. Each distinct raw
    label is cleaned and mapped once (a few dozen, not millions of rows), then
    joined back on its raw text. With a pipeline (an expression over raw, and
    pipeline_join for the tables it reads; the caller joins the same tables
    before this join), a label is mapped by the pipeline's own row, else by the
    all-pipelines row (empty pipeline_id): for a pipeline with rows of its own
    only the rows of the fixed milestones it gives no stage of its own, as its
    working stages are its own. -#}
{% macro join_stage_label(alias, column, entity_type, source_system, pipeline=none, pipeline_join='') -%}
    {%- set mapping_pipeline = clean_pipeline_id('mapping.pipeline_id', source_system) -%}
    left join (
        select *
        from (
            select
                labels.raw_label,
                labels.pipeline_key,
                mapping.*,
                -- the pipeline's own row wins over the all-pipelines row
                rank() over (
                    partition by labels.raw_label, labels.pipeline_key
                    order by case when {{ mapping_pipeline }} is null then 1 else 0 end
                ) as mapping_rank
            from (
                select distinct
                    raw.raw_{{ column }} as raw_label,
                    {{ pipeline if pipeline else "''" }} as pipeline_key
                from copies_numbered as raw
                {{ pipeline_join if pipeline else '' }}
            ) as labels
            inner join {{ ref('stage_mapping') }} as mapping
                on mapping.source_system = '{{ source_system }}'
                and mapping.entity_type = '{{ entity_type }}'
                and {{ clean_label('mapping.source_label') }} = {{ clean_label('labels.raw_label') }}
            {%- if pipeline %}
            left join (
                select distinct {{ clean_pipeline_id('pipeline_id', source_system) }} as pipeline_id
                from {{ ref('stage_mapping') }}
                where source_system = '{{ source_system }}' and entity_type = '{{ entity_type }}'
            ) as own_pipelines
                on own_pipelines.pipeline_id = labels.pipeline_key
            left join (
                select distinct
                    {{ clean_pipeline_id('pipeline_id', source_system) }} as pipeline_id,
                    milestone
                from {{ ref('stage_mapping') }}
                where
                    source_system = '{{ source_system }}'
                    and entity_type = '{{ entity_type }}'
                    and nullif(milestone, '') is not null
            ) as own_milestones
                on own_milestones.pipeline_id = labels.pipeline_key and own_milestones.milestone = mapping.milestone
            where
                {{ mapping_pipeline }} = labels.pipeline_key
                or (
                    {{ mapping_pipeline }} is null
                    and (
                        own_pipelines.pipeline_id is null
                        or (nullif(mapping.milestone, '') is not null and own_milestones.pipeline_id is null)
                    )
                )
            {%- else %}
            where {{ mapping_pipeline }} is null
            {%- endif %}
        ) as ranked
        where mapping_rank = 1
    ) as {{ alias }}
        on {{ alias }}.raw_label = raw.raw_{{ column }}
        {%- if pipeline %}
        and {{ alias }}.pipeline_key = {{ pipeline }}
        {%- endif %}
{%- endmacro %}

{#- The raw columns an entity's staging hashes (hash_personal in its parsed list):
    personal data, kept out of quarantine's raw text too. -#}
{% macro personal_columns(columns, parsed) -%}
    {%- set expressions = parsed | map(attribute=0) | list -%}
    {%- set personal = [] -%}
    {%- for column in columns if hash_personal('raw_' ~ column) in expressions -%}
        {%- do personal.append(column) -%}
    {%- endfor -%}
    {{ return(personal) }}
{%- endmacro %}
