-- Keys are deterministic, separate ('a','bc') from ('ab','c'), and null from ''.
with pairs as (
    select
        'same input, same key' as check_name,
        {{ surrogate_key(["'a'", "'b'"]) }} = {{ surrogate_key(["'a'", "'b'"]) }} as is_ok
    union all
    select
        'separator matters' as check_name,
        {{ surrogate_key(["'a'", "'bc'"]) }} != {{ surrogate_key(["'ab'", "'c'"]) }} as is_ok
    union all
    select
        'null is not empty' as check_name,
        {{ surrogate_key(["cast(null as " ~ dbt.type_string() ~ ")"]) }} != {{ surrogate_key(["''"]) }} as is_ok
)

select *
from pairs
where not is_ok
