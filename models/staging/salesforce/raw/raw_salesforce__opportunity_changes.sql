{#- Spark: a table. The Hive catalog keeps a view's SQL in a Derby column of at most
    32,700 characters, and Spark's timestamp parser (three calls here) is longer. -#}
{{ config(materialized='table' if target.type == 'spark' else 'view') }}
-- Opportunity changes in the generic layout, from the best history each
-- opportunity has:
--   1. OpportunityFieldHistory: one row per tracked change; the `created` row
--      becomes the stage at creation (the old value of the first stage change,
--      or today's stage when it never changed);
--   2. OpportunityHistory (stage snapshots): every row is a stage event, and an
--      amount, close date or forecast category that differs from the previous
--      row is a change of that field too (same source row);
--   3. a connector's history-mode table: the same, one version per row, except
--      that the first version captured is the record's state when capture
--      began, not a change: it holds from the record's creation, and a record
--      already closed then was created at the entry stage and closed at its
--      close date (never before creation, never after capture began). A record
--      whose versions all ended with none active was deleted in the source:
--      its rows carry is_deleted = 'deleted_in_source' for quarantine.
-- An opportunity takes its changes from the first of these that has any.
with field_history as (
    select
        *,
        {{ sf_id('opportunity_id') }} as opportunity_key,
        lower(trim(field)) as field_key,
        {{ parse_timestamp('created_date') }} as changed
    from {{ ref('sf_opportunity_field_history') }}
),

opportunities as (
    select
        {{ sf_id('id') }} as opportunity_key,
        stage_name
    from {{ ref('sf_opportunity') }}
),

opportunities_created as (
    select
        {{ sf_id('id') }} as opportunity_key,
        min({{ parse_timestamp('created_date') }}) as created
    from {{ ref('sf_opportunity') }}
    group by 1
),

salesforce_stages as (
    select
        {{ clean_label('source_label') }} as label_key,
        source_label,
        stage_order,
        is_won,
        is_lost
    from {{ ref('stage_mapping') }}
    where source_system = 'salesforce' and entity_type = 'opportunity'
),

-- the label a record already closed at capture start entered when created
entry_stage_label as (
    select min(source_label) as stage_name
    from salesforce_stages
    where
        not is_won and not is_lost
        and stage_order = (
            select min(open_stages.stage_order) from salesforce_stages as open_stages
            where not open_stages.is_won and not open_stages.is_lost
        )
),

closed_labels as (
    select distinct label_key
    from salesforce_stages
    where is_won or is_lost
),

connector_versions_numbered as (
    select
        versions.*,
        {{ sf_id('versions.id') }} as opportunity_key,
        {{ parse_timestamp('versions._fivetran_start') }} as version_start,
        {{ parse_boolean('versions._fivetran_active') }} as is_active_version,
        coalesce({{ parse_timestamp('versions.created_date') }}, opportunities_created.created) as created,
        {{ parse_timestamp('versions.close_date') }} as close_moment,
        coalesce(
            {{ parse_boolean('versions.is_closed') }},
            closed_labels.label_key is not null
        ) as is_closed_version,
        row_number() over (
            partition by {{ sf_id('versions.id') }}
            order by {{ parse_timestamp('versions._fivetran_start') }}, versions._source_row
        ) as version_number,
        row_number() over (
            partition by {{ sf_id('versions.id') }}
            order by {{ parse_timestamp('versions._fivetran_start') }} desc, versions._source_row desc
        ) as versions_after
    from {{ ref('sf_opportunity_versions') }} as versions
    left join opportunities_created
        on {{ sf_id('versions.id') }} = opportunities_created.opportunity_key
    left join closed_labels
        on {{ clean_label('versions.stage_name') }} = closed_labels.label_key
),

-- deleted in the source: no version is active and the last one ended inactive
-- (an ended version with a successor is just an older version)
deleted_in_source as (
    select opportunity_key
    from connector_versions_numbered
    where opportunity_key is not null
    group by 1
    having
        max(case when is_active_version then 1 else 0 end) = 0
        and max(case when versions_after = 1 and is_active_version = false then 1 else 0 end) = 1
),

connector_versions as (
    select
        versions.*,
        case
            when versions.version_number > 1 then versions.version_start
            -- closed before capture began: closed at its close date
            when versions.is_closed_version
                then greatest(
                    coalesce(versions.created, versions.version_start),
                    least(coalesce(versions.close_moment, versions.version_start), versions.version_start)
                )
            -- open at capture start: in that stage since creation
            else least(coalesce(versions.created, versions.version_start), versions.version_start)
        end as changed,
        case
            when
                deleted_in_source.opportunity_key is not null
                and not coalesce({{ parse_boolean('versions.is_deleted') }}, false)
                then 'deleted_in_source'
            else versions.is_deleted
        end as deletion
    from connector_versions_numbered as versions
    left join deleted_in_source
        on versions.opportunity_key = deleted_in_source.opportunity_key
),

stage_changes_numbered as (
    select
        opportunity_key,
        old_value,
        row_number() over (partition by opportunity_key order by changed, id) as change_number
    from field_history
    where field_key = 'stagename'
),

first_stage_changes as (
    select
        opportunity_key,
        old_value
    from stage_changes_numbered
    where change_number = 1
),

field_history_changes as (
    select
        field_history.id as change_id,
        field_history.opportunity_key as opportunity_id,
        field_history.created_date as changed_at,
        case field_history.field_key
            when 'created' then 'stage'
            when 'stagename' then 'stage'
            when 'amount' then 'amount'
            when 'closedate' then 'close_date'
            when 'owner' then 'owner_id'
            when 'ownerid' then 'owner_id'
            when 'forecastcategoryname' then 'forecast_category'
            when 'forecastcategory' then 'forecast_category'
            else field_history.field
        end as field,
        case
            when field_history.field_key = 'created' then null
            when field_history.field_key in ('owner', 'ownerid') then {{ sf_id('field_history.old_value') }}
            when field_history.field_key like 'forecastcategory%'
                then {{ sf_forecast_category('field_history.old_value') }}
            else field_history.old_value
        end as old_value,
        case
            when field_history.field_key = 'created'
                then coalesce(first_stage_changes.old_value, opportunities.stage_name)
            when field_history.field_key in ('owner', 'ownerid') then {{ sf_id('field_history.new_value') }}
            when field_history.field_key like 'forecastcategory%'
                then {{ sf_forecast_category('field_history.new_value') }}
            else field_history.new_value
        end as new_value,
        {{ sf_id('field_history.created_by_id') }} as changed_by_id,
        field_history.is_deleted,
        field_history._source_row,
        field_history._source_file
    from field_history
    left join first_stage_changes
        on field_history.opportunity_key = first_stage_changes.opportunity_key
    left join opportunities
        on field_history.opportunity_key = opportunities.opportunity_key
),

-- snapshots: OpportunityHistory rows, then connector versions, as one shape
snapshots as (
    select
        'history' as snapshot_kind,
        id as change_id,
        {{ sf_id('opportunity_id') }} as opportunity_key,
        created_date as changed_at,
        {{ parse_timestamp('created_date') }} as changed,
        {{ sf_id('created_by_id') }} as changed_by_id,
        stage_name,
        amount,
        close_date,
        {{ sf_forecast_category('forecast_category') }} as forecast_category,
        is_deleted,
        _source_row,
        _source_file
    from {{ ref('sf_opportunity_history') }}

    union all

    select
        'version' as snapshot_kind,
        {{ dbt.concat([sf_id('id'), "'@'", '_fivetran_start']) }} as change_id,
        opportunity_key,
        case
            when version_number > 1 then _fivetran_start
            else cast(changed as {{ dbt.type_string() }})
        end as changed_at,
        changed,
        {{ sf_id('owner_id') }} as changed_by_id,
        stage_name,
        amount,
        close_date,
        {{ sf_forecast_category('forecast_category') }} as forecast_category,
        deletion as is_deleted,
        _source_row,
        _source_file
    from connector_versions

    union all

    -- a record closed before capture began: created at the entry stage; its id
    -- (the creation time) sorts before the closing version's (_fivetran_start)
    select
        'version' as snapshot_kind,
        {%- set created_text = 'cast(connector_versions.created as ' ~ dbt.type_string() ~ ')' %}
        {{ dbt.concat([sf_id('connector_versions.id'), "'@'", created_text]) }} as change_id,
        connector_versions.opportunity_key,
        cast(connector_versions.created as {{ dbt.type_string() }}) as changed_at,
        connector_versions.created as changed,
        {{ sf_id('connector_versions.owner_id') }} as changed_by_id,
        entry_stage_label.stage_name,
        connector_versions.amount,
        connector_versions.close_date,
        {{ sf_forecast_category('connector_versions.forecast_category') }} as forecast_category,
        connector_versions.deletion as is_deleted,
        connector_versions._source_row,
        connector_versions._source_file
    from connector_versions
    cross join entry_stage_label
    where
        connector_versions.version_number = 1
        and connector_versions.is_closed_version
        and connector_versions.created is not null
),

snapshots_chosen as (
    select snapshots.*
    from snapshots
    where
        snapshots.opportunity_key not in (
            select field_history.opportunity_key from field_history
            where field_history.opportunity_key is not null
        )
        and (
            snapshots.snapshot_kind = 'history'
            or snapshots.opportunity_key not in (
                select history_snapshots.opportunity_key from snapshots as history_snapshots
                where
                    history_snapshots.snapshot_kind = 'history'
                    and history_snapshots.opportunity_key is not null
            )
        )
),

snapshots_sequenced as (
    select
        snapshots_chosen.*,
        row_number() over snapshot_window as snapshot_number,
        lag(snapshots_chosen.stage_name) over snapshot_window as previous_stage_name,
        lag(snapshots_chosen.amount) over snapshot_window as previous_amount,
        lag(snapshots_chosen.close_date) over snapshot_window as previous_close_date,
        lag(snapshots_chosen.forecast_category) over snapshot_window as previous_forecast_category
    from snapshots_chosen
    window snapshot_window as (
        partition by snapshots_chosen.opportunity_key
        order by snapshots_chosen.changed, snapshots_chosen.change_id
    )
),

snapshot_field_names as (
    select 'stage' as field_name
    union all
    select 'amount' as field_name
    union all
    select 'close_date' as field_name
    union all
    select 'forecast_category' as field_name
),

snapshot_fields as (
    select
        snapshots_sequenced.*,
        snapshot_field_names.field_name
    from snapshots_sequenced
    cross join snapshot_field_names
),

snapshot_changes as (
    select
        case
            when field_name = 'stage' then change_id
            else {{ dbt.concat(['change_id', "':'", 'field_name']) }}
        end as change_id,
        opportunity_key as opportunity_id,
        changed_at,
        field_name as field,
        case field_name
            when 'stage' then previous_stage_name
            when 'amount' then previous_amount
            when 'close_date' then previous_close_date
            else previous_forecast_category
        end as old_value,
        case field_name
            when 'stage' then stage_name
            when 'amount' then amount
            when 'close_date' then close_date
            else forecast_category
        end as new_value,
        changed_by_id,
        is_deleted,
        _source_row,
        _source_file
    from snapshot_fields
    -- every snapshot is a stage event; other fields only where they changed
    where
        field_name = 'stage'
        or (
            snapshot_number > 1
            and case field_name
                when 'amount' then amount is distinct from previous_amount
                when 'close_date' then close_date is distinct from previous_close_date
                else forecast_category is distinct from previous_forecast_category
            end
        )
),

translated as (
    select * from field_history_changes
    union all
    select * from snapshot_changes
)

select * from translated
