-- One row per mart: can it be computed from this export? A mart is available when
-- every requirement of seeds/mart_requirements.csv holds on the staged data: the
-- entity has staged rows and, where the requirement names a column, at least one
-- staged row fills it. The column requirements of an entity with no rows are not
-- repeated: the entity's own reason says it. A mart the seed does not list is
-- unavailable (and tests/marts/assert_every_mart_has_requirements.sql fails).
-- Beyond the seed, which doctor checks on the files before a build, the data can
-- show an organisation without a role: with nobody in the inside-sales role (mapped,
-- or inferred from deals created for someone else) the inside-sales marts have no
-- one to report on. That reason shows only when the seed's requirements hold.
{%- set entities = [
    'users', 'user_roles', 'accounts', 'campaigns', 'leads', 'lead_status_events',
    'opportunities', 'opportunity_changes', 'activities', 'contracts', 'quotas',
    'exchange_rates',
] -%}
{%- set required_columns = {} -%}
{%- if execute -%}
    {%- set seed = load_relation(ref('mart_requirements')) -%}
    {%- if seed is not none -%}
        {%- set found = run_query(
            "select distinct mart, required_entity, required_column from " ~ seed
            ~ " where required_column is not null order by 1, 2, 3") -%}
        {%- for mart, entity, column in found.rows -%}
            {%- if entity not in entities -%}
                {{ exceptions.raise_compiler_error(
                    "seeds/mart_requirements.csv, mart " ~ mart ~ ": required_entity '" ~ entity
                    ~ "' is no staged entity; use one of " ~ entities | join(', ')) }}
            {%- endif -%}
            {%- set known = adapter.get_columns_in_relation(ref('stg_crm__' ~ entity)) | map(attribute='name') | map('lower') | list -%}
            {%- if known and column | lower not in known -%}
                {{ exceptions.raise_compiler_error(
                    "seeds/mart_requirements.csv, mart " ~ mart ~ ": required_column '" ~ column
                    ~ "' is no column of stg_crm__" ~ entity ~ "; use one of " ~ known | join(', ')
                    ~ ", or leave it empty to require only rows") }}
            {%- endif -%}
            {%- if column | lower not in required_columns.get(entity, []) -%}
                {%- do required_columns.update({entity: required_columns.get(entity, []) + [column | lower]}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endif -%}
{%- set marts = mart_names() %}

with requirements as (
    select
        mart,
        required_entity,
        coalesce(required_column, '') as required_column,
        reason
    from {{ ref('mart_requirements') }}
),

-- staged rows of each entity (required_column ''), and the rows filling each
-- column a requirement names
filled_rows as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as required_entity,
        '' as required_column,
        count(*) as row_count
    from {{ ref('stg_crm__' ~ entity) }}
    {%- for column in required_columns.get(entity, []) %}
    union all
    select
        '{{ entity }}' as required_entity,
        '{{ column }}' as required_column,
        count({{ column }}) as row_count
    from {{ ref('stg_crm__' ~ entity) }}
    {%- endfor %}
    {{- ' union all' if not loop.last }}
    {%- endfor %}
),

checked as (
    select
        requirements.mart,
        requirements.reason,
        requirements.required_column = '' as is_entity_requirement,
        coalesce(entity_rows.row_count, 0) > 0 as has_entity_rows,
        coalesce(column_rows.row_count, 0) > 0 as is_met
    from requirements
    left join filled_rows as entity_rows
        on
            requirements.required_entity = entity_rows.required_entity
            and entity_rows.required_column = ''
    left join filled_rows as column_rows
        on
            requirements.required_entity = column_rows.required_entity
            and requirements.required_column = column_rows.required_column
),

unmet_requirements as (
    select distinct
        mart,
        reason
    from checked
    where not is_met and (is_entity_requirement or has_entity_rows)
),

inside_sales_people as (
    select count(*) as people_count
    from {{ ref('int_user_roles_resolved') }}
    where role = 'inside_sales'
),

-- the marts that report on the inside-sales role, when nobody holds it
missing_roles as (
    select
        requirements.mart,
        'nobody holds the inside-sales role: no SDR in user_roles, no deal created for another owner'
        as reason
    from (select distinct mart from requirements) as requirements
    cross join inside_sales_people
    where
        requirements.mart in ('inside_sales_kpis_monthly', 'inside_sales_call_list')
        and inside_sales_people.people_count = 0
        and requirements.mart not in (select mart from unmet_requirements)
),

unmet as (
    select * from unmet_requirements
    union all
    select * from missing_roles
),

unmet_reasons as (
    select
        mart,
        {{ sorted_listagg('reason', "'; '") }} as reason
    from unmet
    group by mart
),

listed as (
    select distinct mart from requirements
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- every model of models/marts, from dbt's graph
marts as (
    {%- for mart in marts %}
    select cast('{{ mart }}' as {{ dbt.type_string() }}) as mart
    {{- ' union all' if not loop.last }}
    {%- else %}
    select mart from listed where 1 = 0
    {%- endfor %}
),

availability as (
    select
        marts.mart,
        case
            when listed.mart is null
                then 'seeds/mart_requirements.csv has no row for this mart: add what it needs'
            else unmet_reasons.reason
        end as reason,
        listed.mart is not null and unmet_reasons.mart is null as is_available,
        as_of.as_of_date
    from marts
    cross join as_of
    left join listed on marts.mart = listed.mart
    left join unmet_reasons on marts.mart = unmet_reasons.mart
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        availability.*,
        {{ run_id() }} as run_id
    from availability
)

select * from with_run_id
