-- For every entity: raw rows in the export = staged + quarantined + exact
-- duplicates + superseded versions. Raw rows are counted on the file reader and
-- staged rows on the canonical model, so a row lost anywhere in between shows
-- up as a difference.
-- noqa: disable=LT02
-- (LT02 cannot follow indentation through the Jinja loops over the entities)
{%- set entities = export_entities() %}
{%- set set_aside = "'" ~ set_aside_rules() | join("', '") ~ "'" %}

with raw_counts as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        count(*) as raw_rows
    from {{ ref('raw_' ~ var('crm_source') ~ '__' ~ entity) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

status_counts as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        sum(case when row_status = 'exact_duplicate' then 1 else 0 end) as exact_duplicate_rows,
        sum(case when row_status = 'superseded' then 1 else 0 end) as superseded_rows
    from {{ ref('base_' ~ var('crm_source') ~ '__' ~ entity) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

staged_counts as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        count(*) as staged_rows
    {#- rates: the staged export rows; stg_crm__exchange_rates holds the periods
        resolved from them (a static rate a dated one covers has none left) #}
    from {{ crm_ref(entity) if entity == 'exchange_rates' else ref('stg_crm__' ~ entity) }}
    {#- users: the users the records name but the export lacks are not export rows #}
    {%- if entity == 'users' %}
    where not is_inferred
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- rows set aside (dated after an explicit as-of date, Salesforce's sample
-- campaigns) are quarantined but not distrusted
quarantine_counts as (
    select
        entity,
        count(*) as quarantined_rows,
        sum(case when rule in ({{ set_aside }}) then 1 else 0 end) as set_aside_rows
    from {{ ref('quarantined_rows') }}
    group by entity
),

final as (
    select
        raw_counts.entity,
        raw_counts.raw_rows,
        staged_counts.staged_rows,
        coalesce(quarantine_counts.quarantined_rows, 0) as quarantined_rows,
        coalesce(status_counts.exact_duplicate_rows, 0) as exact_duplicate_rows,
        coalesce(status_counts.superseded_rows, 0) as superseded_rows,
        coalesce(quarantine_counts.set_aside_rows, 0) as set_aside_rows,
        case
            when raw_counts.raw_rows > 0
                then 1.0 * coalesce(quarantine_counts.quarantined_rows - quarantine_counts.set_aside_rows, 0)
                / raw_counts.raw_rows
            else 0
        end as quarantined_share
    from raw_counts
    inner join staged_counts on raw_counts.entity = staged_counts.entity
    left join status_counts on raw_counts.entity = status_counts.entity
    left join quarantine_counts on raw_counts.entity = quarantine_counts.entity
)

select * from final
