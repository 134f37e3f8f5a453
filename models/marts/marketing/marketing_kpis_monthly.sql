-- Marketing's monthly KPIs by channel and segment, for the leads created in the month.
{{ after_quarantine_gate() }}
with journeys as (
    select * from {{ ref('int_lead_journeys') }}
),

-- won as of the as-of moment (the stage history), not the export's status today
opportunities as (
    select
        opportunities.opportunity_id,
        opportunities.amount_reporting,
        opportunity_journeys.is_won
    from {{ ref('stg_crm__opportunities') }} as opportunities
    inner join {{ ref('int_opportunity_journeys') }} as opportunity_journeys
        on opportunities.opportunity_id = opportunity_journeys.opportunity_id
),

campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

months as (
    {{ date_spine('month',
        "(select " ~ dbt.date_trunc('month', 'min(start_date)') ~ " from " ~ ref('stg_crm__campaigns') ~ ")",
        "(select " ~ dbt.dateadd('month', 1, 'max(end_date)') ~ " from " ~ ref('stg_crm__campaigns') ~ ")") }}
),

lead_outcomes as (
    select
        journeys.channel,
        journeys.segment,
        {{ business_month('journeys.created_at') }} as month,
        journeys.mql_at is not null as is_mql,
        journeys.converted_at is not null
        and journeys.converted_at
        <= {{ dbt.dateadd('day', var('lead_conversion_window_days'), 'journeys.created_at') }}
            as is_converted_in_window,
        opportunities.amount_reporting,
        coalesce(opportunities.is_won, false) as is_won
    from journeys
    left join opportunities on journeys.converted_opportunity_id = opportunities.opportunity_id
),

lead_kpis as (
    select
        channel,
        segment,
        month,
        count(*) as leads_count,
        sum(case when is_mql then 1 else 0 end) as mqls_count,
        sum(case when is_converted_in_window then 1 else 0 end) as opportunities_count,
        sum(case when is_converted_in_window then amount_reporting else 0 end) as pipeline_sourced_amount,
        sum(case when is_converted_in_window and is_won then amount_reporting else 0 end) as won_sourced_amount
    from lead_outcomes
    group by channel, segment, month
),

-- A campaign's cost is spread over its months by days, then over the month's
-- segments by their share of the channel's leads.
campaign_cost_by_month as (
    select
        campaigns.channel,
        months.date_month as month,
        sum(
            campaigns.cost_amount_reporting
            * ({{ dbt.datediff(
                "greatest(campaigns.start_date, months.date_month)",
                "least(" ~ dbt.dateadd('day', 1, 'campaigns.end_date') ~ ", " ~ dbt.dateadd('month', 1, 'months.date_month') ~ ")",
                'day') }})
            / ({{ dbt.datediff('campaigns.start_date', dbt.dateadd('day', 1, 'campaigns.end_date'), 'day') }})
        ) as campaign_cost_amount
    from campaigns
    inner join months
        on
            campaigns.start_date < {{ dbt.dateadd('month', 1, 'months.date_month') }}
            and campaigns.end_date >= months.date_month
    group by campaigns.channel, months.date_month
),

segment_shares as (
    select
        channel,
        segment,
        month,
        leads_count,
        {{ safe_divide('leads_count', 'sum(leads_count) over (partition by channel, month)') }} as lead_share
    from lead_kpis
),

combined as (
    select
        coalesce(lead_kpis.channel, campaign_cost_by_month.channel) as channel,
        coalesce(lead_kpis.segment, 'unallocated') as segment,
        coalesce(lead_kpis.month, campaign_cost_by_month.month) as month,
        coalesce(lead_kpis.leads_count, 0) as leads_count,
        coalesce(lead_kpis.mqls_count, 0) as mqls_count,
        coalesce(lead_kpis.opportunities_count, 0) as opportunities_count,
        coalesce(lead_kpis.pipeline_sourced_amount, 0) as pipeline_sourced_amount,
        coalesce(lead_kpis.won_sourced_amount, 0) as won_sourced_amount,
        coalesce(campaign_cost_by_month.campaign_cost_amount * coalesce(segment_shares.lead_share, 1), 0)
            as campaign_cost_amount
    from lead_kpis
    left join segment_shares
        on
            lead_kpis.channel = segment_shares.channel
            and lead_kpis.segment = segment_shares.segment
            and lead_kpis.month = segment_shares.month
    full outer join campaign_cost_by_month
        on
            lead_kpis.channel = campaign_cost_by_month.channel
            and lead_kpis.month = campaign_cost_by_month.month
),

final as (
    select
        combined.channel,
        combined.segment,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(combined.leads_count as {{ dbt.type_bigint() }}) as leads_count,
        cast(combined.mqls_count as {{ dbt.type_bigint() }}) as mqls_count,
        cast(combined.opportunities_count as {{ dbt.type_bigint() }}) as opportunities_count,
        {{ safe_divide('combined.mqls_count', 'combined.leads_count') }} as mql_rate,
        {{ safe_divide('combined.opportunities_count', 'combined.leads_count') }} as lead_to_opportunity_rate,
        cast(combined.pipeline_sourced_amount as decimal(18, 2)) as pipeline_sourced_amount,
        cast(combined.won_sourced_amount as decimal(18, 2)) as won_sourced_amount,
        cast(combined.campaign_cost_amount as decimal(18, 2)) as campaign_cost_amount,
        cast(
            {{ safe_divide('combined.campaign_cost_amount', 'combined.opportunities_count') }} as decimal(18, 2)
        ) as cost_per_opportunity_amount,
        {{ dbt.dateadd('day', var('lead_conversion_window_days'), dbt.dateadd('month', 1, 'combined.month')) }}
        <= as_of.as_of_at as is_window_complete,
        combined.month
    from combined
    cross join as_of
),

-- the build it came from: one run_id across the marts is one publication
with_run_id as (
    select
        final.*,
        {{ run_id() }} as run_id
    from final
)

select * from with_run_id
