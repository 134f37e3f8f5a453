-- MetricFlow's day spine: every day from the first lead or contract to three years
-- after the as-of date (open deals close and contracts renew after it).
{{ after_quarantine_gate() }}
with bounds as (
    select
        (select min({{ business_date('created_at') }}) from {{ ref('int_lead_journeys') }}) as first_lead_date,
        (select min(start_date) from {{ ref('stg_crm__contracts') }}) as first_contract_date,
        (select as_of_date from {{ ref('int_as_of_date') }}) as as_of_date
),

days as (
    {{ date_spine('day',
        "(select coalesce(least(first_lead_date, first_contract_date), first_lead_date, first_contract_date, as_of_date) from bounds)",
        "(select " ~ dbt.dateadd('year', 3, 'as_of_date') ~ " from bounds)") }}
)

select cast(date_day as date) as date_day
from days
