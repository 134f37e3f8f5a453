-- Accounts in the generic layout; the segment is the demo org's Segment__c
-- field, or derived from the employee count in staging when it is empty.
with accounts as (
    select * from {{ ref('sf_account') }}
),

translated as (
    select
        {{ sf_id('id') }} as account_id,
        name as account_name,
        industry,
        number_of_employees as employee_count,
        replace(trim(segment_c), ' ', '_') as segment,
        billing_country as country,
        created_date as created_at,
        coalesce(last_modified_date, _fivetran_synced) as modified_at,
        is_deleted,
        _source_row,
        _source_file
    from accounts
)

select * from translated
