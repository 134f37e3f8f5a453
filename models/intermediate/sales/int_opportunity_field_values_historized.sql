-- One row per opportunity × tracked field × value it held, with the period it
-- held it: [valid_from, valid_to). The value before the first change is the
-- first change's old value (or today's value when the field never changed).
-- Fields: amount, close_date, owner_id, forecast_category.
{{ after_quarantine_gate() }}
with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

changes as (
    select * from {{ ref('stg_crm__opportunity_changes') }}
    where field in ('amount', 'close_date', 'owner_id', 'forecast_category')
),

current_values as (
    select
        opportunity_id,
        'amount' as field,
        cast(amount as {{ dbt.type_string() }}) as field_value,
        created_at
    from opportunities
    union all
    select
        opportunity_id,
        'close_date' as field,
        cast(close_date as {{ dbt.type_string() }}) as field_value,
        created_at
    from opportunities
    union all
    select
        opportunity_id,
        'owner_id' as field,
        owner_id as field_value,
        created_at
    from opportunities
    union all
    select
        opportunity_id,
        'forecast_category' as field,
        forecast_category as field_value,
        created_at
    from opportunities
),

first_changes as (
    select
        changes.opportunity_id,
        changes.field,
        changes.old_value,
        row_number() over (
            partition by changes.opportunity_id, changes.field
            order by changes.changed_at, changes.change_order
        ) as change_number
    from changes
),

initial_values as (
    select
        current_values.opportunity_id,
        current_values.field,
        case
            when first_changes.opportunity_id is null then current_values.field_value
            else first_changes.old_value
        end as field_value,
        current_values.created_at as valid_from,
        -1 as change_order
    from current_values
    left join first_changes
        on
            current_values.opportunity_id = first_changes.opportunity_id
            and current_values.field = first_changes.field
            and first_changes.change_number = 1
),

changed_values as (
    select
        opportunity_id,
        field,
        new_value as field_value,
        changed_at as valid_from,
        change_order
    from changes
),

unioned as (
    select * from initial_values
    union all
    select * from changed_values
),

final as (
    select
        opportunity_id,
        field,
        field_value,
        valid_from,
        lead(valid_from) over (
            partition by opportunity_id, field order by valid_from, change_order
        ) as valid_to
    from unioned
)

select * from final
