-- Every per-person mart shows beside the id the name dim_users has for it (null
-- for team rows, `unassigned` and owners without a users-file row); a row per
-- mismatch.
{%- set person_marts = [
    ('customer_success_kpis_monthly', 'user_id', 'csm_name', true),
    ('field_sales_kpis_monthly', 'user_id', 'ae_name', true),
    ('new_business_ae_contribution', 'user_id', 'ae_name', false),
    ('sales_capacity_valve', 'user_id', 'ae_name', true),
    ('forecast_pipeline', 'owner_id', 'owner_name', false),
    ('inside_sales_kpis_monthly', 'user_id', 'sdr_name', true),
    ('inside_sales_call_list', 'user_id', 'sdr_name', false),
] %}
with users as (
    select * from {{ ref('dim_users') }}
),

{% for mart, id_column, name_column, has_team_row in person_marts %}
{{ mart }}_mismatches as (
    select
        '{{ mart }}' as mart,
        mart_rows.{{ id_column }} as person_id,
        mart_rows.{{ name_column }} as shown_name,
        users.full_name as dim_users_name
    from {{ ref(mart) }} as mart_rows
    left join users on mart_rows.{{ id_column }} = users.user_id
    where
        not (
            mart_rows.{{ name_column }} = users.full_name
            or (mart_rows.{{ name_column }} is null and users.full_name is null)
        )
        -- team rows carry no name
        {%- if has_team_row %}
        or (mart_rows.is_team_row and mart_rows.{{ name_column }} is not null)
        {%- endif %}
),

{% endfor %}
mismatches as (
    {% for mart, id_column, name_column, has_team_row in person_marts -%}
    select * from {{ mart }}_mismatches
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
)

select * from mismatches
