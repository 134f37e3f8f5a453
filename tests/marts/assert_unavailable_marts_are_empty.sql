-- A mart this export cannot give (marts.mart_availability) is empty, never a
-- partial figure. The list below must name every mart: a new mart fails here
-- until it is added.
{%- set marts = [
    'customer_deals_monthly', 'customer_success_kpis_monthly', 'field_sales_kpis_monthly',
    'forecast_inputs_quarterly', 'forecast_pipeline', 'funnel_bottlenecks',
    'funnel_stage_conversion', 'inside_sales_call_list', 'inside_sales_kpis_monthly',
    'marketing_kpis_monthly', 'new_business_ae_contribution', 'new_business_competitors',
    'new_business_diagnostics', 'pipeline_waterfall', 'sales_capacity_valve',
] %}
{%- set missing = mart_names() | reject('in', marts) | list %}

with row_counts as (
    {%- for mart in marts %}
        select
            '{{ mart }}' as mart,
            count(*) as row_count
        from {{ ref(mart) }}
        {{- ' union all' if not loop.last }}
    {%- endfor %}
),

problems as (
    select
        row_counts.mart,
        'has ' || cast(row_counts.row_count as {{ dbt.type_string() }})
        || ' rows while unavailable: ' || availability.reason as problem
    from row_counts
    inner join {{ ref('mart_availability') }} as availability
        on row_counts.mart = availability.mart
    where not availability.is_available and row_counts.row_count > 0
    {%- for mart in missing %}
    union all
    select
        '{{ mart }}' as mart,
        'not in tests/marts/assert_unavailable_marts_are_empty.sql: add it' as problem
    {%- endfor %}
)

select * from problems
