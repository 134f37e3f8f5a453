-- One row per opportunity: its amount at creation, when it was accepted, and at
-- close (in its own currency), so "amount at creation versus amount won" is
-- read from one place.
{{ after_quarantine_gate() }}
with amounts as (
    select * from {{ ref('int_opportunity_field_values_historized') }}
    where field = 'amount'
),

journeys as (
    select * from {{ ref('int_opportunity_journeys') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

{%- set milestones = ['created', 'accepted', 'closed'] %}

final as (
    select
        journeys.opportunity_id,
        opportunities.currency,
        {%- for milestone in milestones %}
            cast({{ milestone }}_amount.field_value as decimal(18, 2))
                as amount_at_{{ milestone }}{% if not loop.last %}
                ,
            {% endif %}
        {%- endfor %}
    from journeys
    inner join opportunities on journeys.opportunity_id = opportunities.opportunity_id
    {%- for milestone in milestones %}
        left join amounts as {{ milestone }}_amount
            on
                journeys.opportunity_id = {{ milestone }}_amount.opportunity_id
                and {{ milestone }}_amount.valid_from <= journeys.{{ milestone }}_at
                and (
                    {{ milestone }}_amount.valid_to > journeys.{{ milestone }}_at
                    or {{ milestone }}_amount.valid_to is null
                )
    {%- endfor %}
)

select * from final
