-- Every per-person mart shows beside the id the name dim_users has for it (null
-- for `unassigned` and owners without a users-file row), and team rows show no
-- name; a row per mismatch.
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

shown_names as (
    {%- for mart, id_column, name_column, has_team_row in person_marts %}
        select
            '{{ mart }}' as mart,
            {{ id_column }} as person_id,
            {{ name_column }} as shown_name,
            {{ 'is_team_row' if has_team_row else 'false' }} as is_team_row
        from {{ ref(mart) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

mismatches as (
    select
        shown_names.mart,
        shown_names.person_id,
        shown_names.shown_name,
        users.full_name as dim_users_name
    from shown_names
    left join users on shown_names.person_id = users.user_id
    where
        (shown_names.is_team_row and shown_names.shown_name is not null)
        or (
            not shown_names.is_team_row
            and not (
                shown_names.shown_name = users.full_name
                or (shown_names.shown_name is null and users.full_name is null)
            )
        )
)

select * from mismatches
