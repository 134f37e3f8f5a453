-- Win rate by competitor: per quarter, segment and competitor named on the deal
-- ('none' when no competitor was recorded), plus all-segments rows (segment
-- '_all'). Every new-business deal decided in the quarter, as in
-- new_business_diagnostics; only combinations with a decided deal have a row.
with opportunities as (
    select * from {{ ref('fct_opportunities') }}
    where opportunity_type = 'new_business' and is_closed
),

levels as (
    select false as is_all_segments
    union all
    select true as is_all_segments
),

totals as (
    select
        case when levels.is_all_segments then '_all' else opportunities.segment end as segment,
        coalesce(opportunities.competitor, 'none') as competitor,
        {{ fiscal_quarter('opportunities.decided_on') }} as quarter,
        count(*) as closed_count,
        sum(case when opportunities.is_won then 1 else 0 end) as won_count,
        sum(opportunities.won_amount_reporting) as won_amount
    from opportunities
    cross join levels
    group by 1, 2, 3
),

final as (
    select
        segment,
        competitor,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(closed_count as {{ dbt.type_bigint() }}) as closed_count,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(closed_count - won_count as {{ dbt.type_bigint() }}) as lost_count,
        cast(won_amount as decimal(18, 2)) as won_amount,
        {{ safe_divide('won_count', 'closed_count') }} as win_rate,
        {{ fiscal_year('quarter') }} as fiscal_year,
        {{ fiscal_quarter_number('quarter') }} as fiscal_quarter,
        segment = '_all' as is_all_segments,
        quarter
    from totals
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        final.*,
        {{ run_id() }} as run_id
    from final
)

select * from with_run_id
