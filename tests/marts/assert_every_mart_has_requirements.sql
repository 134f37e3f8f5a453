-- Every mart of models/marts has at least one row in seeds/mart_requirements.csv
-- (a new mart must say what it needs), and every mart the seed names exists.
-- Fails with the mart and what to do.
{%- set marts = mart_names() %}

with listed as (
    select distinct mart from {{ ref('mart_requirements') }}
),

marts as (
    {%- for mart in marts %}
    select cast('{{ mart }}' as {{ dbt.type_string() }}) as mart
    {{- ' union all' if not loop.last }}
    {%- else %}
    select mart from listed where 1 = 0
    {%- endfor %}
),

problems as (
    select
        marts.mart,
        'no row in seeds/mart_requirements.csv: add what this mart needs' as problem
    from marts
    left join listed on marts.mart = listed.mart
    where listed.mart is null
    union all
    select
        listed.mart,
        'seeds/mart_requirements.csv names a mart that is not in models/marts' as problem
    from listed
    left join marts on listed.mart = marts.mart
    where marts.mart is null
)

select * from problems
