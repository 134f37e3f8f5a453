-- One row per opportunity, every type: who created, accepted and closed it,
-- when it reached each milestone, how it ended, and its amounts at creation and
-- now, in its own and the reporting currency. Marts that count deals, wins or
-- cycles select from here; they never rebuild a deal's outcome.
-- decided_on is the day a decided deal counts in (its month, quarter), as
-- var('close_date_source') says: crm_close_date = the deal's CloseDate, as the
-- CRM's own reports date it; history_timestamp = the day the history shows it
-- closed. Durations (cycle_days) always run on the history timestamps.
{{ after_quarantine_gate() }}
{%- set close_date_source = var('close_date_source') %}
{%- if close_date_source not in ['crm_close_date', 'history_timestamp'] %}
{{ exceptions.raise_compiler_error(
    "var close_date_source is '" ~ close_date_source ~ "': use crm_close_date (a decided deal counts on its"
    ~ " CloseDate, as the CRM's reports date it) or history_timestamp (on the day its history shows it closed).") }}
{%- endif %}
with journeys as (
    select * from {{ ref('int_opportunity_journeys') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

amounts as (
    select * from {{ ref('int_opportunity_amounts') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- a decided deal's day: its CloseDate, unless there is none, it is before the
-- deal was created or after the as-of date (a date the CRM cannot report yet):
-- then the day the history shows it closed
decided_days as (
    select
        journeys.opportunity_id,
        case
            -- false with close_date_source history_timestamp: every deal by its history
            when
                {{ (close_date_source == 'crm_close_date') | lower }}
                and opportunities.close_date >= {{ business_date('journeys.created_at') }}
                and opportunities.close_date <= as_of.as_of_date
                then 'crm_close_date'
            else 'history_timestamp'
        end as decided_on_source
    from journeys
    inner join opportunities on journeys.opportunity_id = opportunities.opportunity_id
    cross join as_of
    where journeys.is_closed
),

creator_roles as (
    select distinct
        user_id,
        month
    from {{ ref('int_user_role_months') }}
    where role = 'inside_sales'
),

final as (
    select
        journeys.opportunity_id,
        journeys.account_id,
        journeys.lead_id,
        journeys.campaign_id,
        journeys.marketer_id,
        journeys.sdr_id as created_by_id,
        journeys.owner_at_creation_id,
        journeys.accepting_ae_id as accepting_owner_id,
        case when journeys.is_closed then coalesce(journeys.closing_ae_id, opportunities.owner_id) end
            as closing_owner_id,
        opportunities.owner_id,
        journeys.csm_id,
        journeys.pipeline_id,
        journeys.opportunity_type,
        journeys.segment,
        journeys.channel,
        journeys.current_stage,
        journeys.stage_history_source,
        decided_days.decided_on_source,
        journeys.lost_reason,
        journeys.competitor,
        opportunities.forecast_category,
        opportunities.currency,
        '{{ reporting_currency() }}' as reporting_currency,
        opportunities.amount,
        opportunities.amount_reporting,
        amounts.amount_at_created as amount_at_creation,
        amounts.amount_at_created * creation_rates.rate as amount_at_creation_reporting,
        case when journeys.is_won then opportunities.amount_reporting else 0 end as won_amount_reporting,
        case
            when journeys.is_closed
                then {{ dbt.datediff('journeys.created_at', 'journeys.closed_at', 'second') }} / cast(86400 as {{ type_double() }})  -- noqa: LT05
        end as cycle_days,
        journeys.skipped_stages_count,
        journeys.is_closed,
        opportunities.is_type_defaulted,
        journeys.is_won,
        journeys.is_closed and not journeys.is_won as is_lost,
        -- handed from one person or role to another: created by someone other
        -- than its owner, or by someone in the inside-sales role that month
        coalesce(
            journeys.sdr_id != journeys.owner_at_creation_id or creator_roles.user_id is not null,
            false
        ) as is_handed_off,
        journeys.accepted_at is not null as is_accepted,
        journeys.entered_at_later_stage,
        journeys.was_reopened,
        journeys.had_regression,
        journeys.is_history_contradicted,
        opportunities.has_budget,
        opportunities.has_authority,
        opportunities.has_need,
        opportunities.has_timeline,
        opportunities.close_date,
        case
            when decided_days.decided_on_source = 'crm_close_date' then opportunities.close_date
            when decided_days.decided_on_source = 'history_timestamp' then {{ business_date('journeys.closed_at') }}
        end as decided_on,
        journeys.created_at,
        journeys.accepted_at,
        journeys.closed_at,
        case when journeys.is_won then journeys.closed_at end as won_at
    from journeys
    inner join opportunities on journeys.opportunity_id = opportunities.opportunity_id
    left join amounts on journeys.opportunity_id = amounts.opportunity_id
    left join decided_days on journeys.opportunity_id = decided_days.opportunity_id
    left join creator_roles
        on
            journeys.sdr_id = creator_roles.user_id
            and {{ business_month('journeys.created_at') }} = creator_roles.month
    {{ join_rate_on('creation_rates', 'opportunities.currency', 'cast(journeys.created_at as date)') }}
)

select * from final
