-- Win rate by competitor: per quarter, segment and competitor named on the deal
-- ('none' when no competitor was recorded), plus all-segments rows (segment
-- '_all'). Accepted new-business deals decided in the quarter, as in
-- new_business_diagnostics; only combinations with a decided deal have a row.
with journeys as (
    select * from {{ ref('int_opportunity_journeys') }}
    where opportunity_type = 'new_business'
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

levels as (
    select false as is_all_segments
    union all
    select true as is_all_segments
),

closed_deals as (
    select
        journeys.segment,
        coalesce(journeys.competitor, 'none') as competitor,
        cast({{ dbt.date_trunc('quarter', 'journeys.closed_at') }} as date) as quarter,
        case when journeys.is_won then 1 else 0 end as won,
        case when journeys.is_won then opportunities.amount_reporting else 0 end as won_amount
    from journeys
    inner join opportunities on journeys.opportunity_id = opportunities.opportunity_id
    cross join as_of
    where journeys.is_closed and journeys.accepted_at is not null and journeys.closed_at <= as_of.as_of_at
),

totals as (
    select
        case when levels.is_all_segments then '_all' else closed_deals.segment end as segment,
        closed_deals.competitor,
        closed_deals.quarter,
        count(*) as closed_count,
        sum(closed_deals.won) as won_count,
        sum(closed_deals.won_amount) as won_amount
    from closed_deals
    cross join levels
    group by 1, 2, 3
),

final as (
    select
        segment,
        competitor,
        '{{ var("reporting_currency") }}' as reporting_currency,
        cast(closed_count as {{ dbt.type_bigint() }}) as closed_count,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(closed_count - won_count as {{ dbt.type_bigint() }}) as lost_count,
        cast(won_amount as decimal(18, 2)) as won_amount,
        {{ safe_divide('won_count', 'closed_count') }} as win_rate,
        segment = '_all' as is_all_segments,
        quarter
    from totals
)

select * from final
