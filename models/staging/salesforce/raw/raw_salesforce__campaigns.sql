-- Campaigns in the generic layout: the campaign Type is the channel.
with campaigns as (
    select * from {{ ref('sf_campaign') }}
),

translated as (
    select
        {{ sf_id('id') }} as campaign_id,
        name as campaign_name,
        lower(replace(trim(type), ' ', '_')) as channel,
        actual_cost as cost,  -- noqa: RF04
        currency_iso_code as currency,
        start_date,
        end_date,
        {{ sf_id('owner_id') }} as owner_id,
        is_deleted,
        _source_row,
        _source_file
    from campaigns
)

select * from translated
