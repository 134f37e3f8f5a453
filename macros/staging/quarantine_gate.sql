{#- The quarantine gate (models/staging/quarantine/quarantine_gate.sql): runs the
    gate's decision query and stops the build with quarantine_share_message when an
    entity's decision is 'stop' (its quarantined share passes quarantine_max_share
    and it has at least quarantine_min_rows rows); warns with the same detail when
    an entity is only over the share ('warn': too few rows to judge the export by). -#}
{% macro check_quarantine_gate(decided_sql, accounting, quarantined) -%}
    {%- set decided = run_query("select entity, quarantined_share, gate_decision from ("
        ~ decided_sql ~ ") as decided where gate_decision <> 'pass' order by entity") -%}
    {%- set stopping, warning = [], [] -%}
    {%- for row in decided -%}
        {%- do (stopping if row[2] == 'stop' else warning).append(row) -%}
    {%- endfor -%}
    {%- if warning -%}
        {%- do exceptions.warn(quarantine_share_message(accounting, quarantined, warning, stops=false)) -%}
    {%- endif -%}
    {%- if stopping -%}
        {{ exceptions.raise_compiler_error(quarantine_share_message(accounting, quarantined, stopping)) }}
    {%- endif -%}
{%- endmacro %}

{#- The gate's message: per entity (rows of entity, quarantined_share) its quarantined
    rows and share, and per rule the count, the share of the entity's rows, three
    example keys and the fix. Set-aside rules are not counted, as in
    row_accounting.quarantined_share. `stops`: the stop message, else the warning
    for entities under quarantine_min_rows. -#}
{% macro quarantine_share_message(accounting, quarantined, gated, stops=true) -%}
    {%- set entities = [] -%}
    {%- for row in gated -%}
        {%- do entities.append(row[0]) -%}
    {%- endfor -%}
    {%- set entity_list = "'" ~ entities | join("', '") ~ "'" -%}
    {%- set set_aside = "'" ~ set_aside_rules() | join("', '") ~ "'" -%}
    {%- set max_share = var('quarantine_max_share') | float -%}
    {%- set min_rows = var('quarantine_min_rows') | int -%}
    {%- set totals = {} -%}
    {%- for row in run_query(
        "select entity, raw_rows from " ~ accounting ~ " where entity in (" ~ entity_list ~ ")") -%}
        {%- do totals.update({row[0]: row[1] | int}) -%}
    {%- endfor -%}
    {#- count and three example keys (first rows in the file) per entity and rule -#}
    {%- set examples_sql -%}
        select entity, rule, record_key, source_row, rule_rows
        from (
            select
                entity,
                rule,
                record_key,
                source_row,
                count(*) over (partition by entity, rule) as rule_rows,
                row_number() over (partition by entity, rule order by source_row, record_key) as example_number
            from {{ quarantined }}
            where entity in ({{ entity_list }}) and rule not in ({{ set_aside }})
        ) as numbered
        where example_number <= 3
        order by entity, rule_rows desc, rule, example_number
    {%- endset -%}
    {%- set rules = {} -%}
    {%- for row in run_query(examples_sql) -%}
        {%- set key = row[0] ~ '|' ~ row[1] -%}
        {%- if key not in rules -%}
            {%- do rules.update({key: {'entity': row[0], 'rule': row[1], 'rows': row[4] | int, 'keys': []}}) -%}
        {%- endif -%}
        {%- do rules[key]['keys'].append(row[2] ~ (' (row ' ~ row[3] ~ ')' if row[3] is not none and not (row[2] | string).startswith('row ') else '')) -%}
    {%- endfor -%}
    {%- set threshold = "%.2f%%" | format(max_share * 100) -%}
    {%- if stops -%}
        {%- set lines = [
            "Too much of the export is quarantined: more than quarantine_max_share (" ~ threshold
            ~ ") of the rows of " ~ entities | join(', ') ~ " broke a rule, so figures built on them cannot be"
            ~ " trusted. The build stopped before any intermediate model, fact or mart was rebuilt: the"
            ~ " warehouse keeps the tables of its last good build."] -%}
    {%- else -%}
        {%- set lines = [
            "More than quarantine_max_share (" ~ threshold ~ ") of the rows of " ~ entities | join(', ')
            ~ " broke a rule, but " ~ ("it has" if entities | length == 1 else "each has") ~ " fewer than"
            ~ " quarantine_min_rows (" ~ min_rows ~ ") rows, too few to judge the export by: the build goes on"
            ~ " with the rows that passed."] -%}
    {%- endif -%}
    {%- for row in gated -%}
        {%- set entity, share = row[0], row[1] | float -%}
        {%- do lines.append("- " ~ entity ~ ": " ~ "%.2f%%" | format(share * 100) ~ " of "
            ~ totals.get(entity, '?') ~ " rows quarantined (threshold " ~ threshold ~ "):") -%}
        {%- for key, found in rules.items() if found['entity'] == entity -%}
            {%- do lines.append("    rule " ~ found['rule'] ~ ": " ~ found['rows'] ~ " rows ("
                ~ "%.2f%%" | format(100.0 * found['rows'] / (totals.get(entity, 0) or 1)) ~ "), e.g. "
                ~ found['keys'] | join(', ') ~ ". Fix: " ~ quarantine_rule_fix(found['rule'], entity) ~ ".") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set ending = "Every quarantined row, with its file, row and raw text, is in quarantine.quarantined_rows"
        ~ " (the rules: docs/bad_input.md). Fix the export or the mapping seeds and build again" -%}
    {%- if stops -%}
        {%- set worst = gated | map(attribute=1) | map('float') | max -%}
        {%- set ending = ending ~ "; or, to build on the rows that passed, raise quarantine_max_share (--vars '{quarantine_max_share: "
            ~ "%.2f" | format(((worst * 100) | round(0, 'ceil')) / 100) ~ "}')" -%}
    {%- endif -%}
    {%- do lines.append(ending ~ ".") -%}
    {{ return(lines | join('\n')) }}
{%- endmacro %}

{#- What to do about the rows a quarantine rule holds in an entity (docs/bad_input.md
    lists the rules; the export format's document, the columns). -#}
{% macro quarantine_rule_fix(rule, entity) -%}
    {%- set source = var('crm_source') -%}
    {%- set fixes = {
        'missing_key': "export the key column's value for every row",
        'conflicting_duplicate': "decide which row of each key is right, fix it in the CRM and export again",
        'soft_deleted': "nothing to fix if the records were deleted on purpose; else restore them in the CRM",
        'deleted_in_source': "nothing to fix if the records were deleted on purpose",
        'missing_timestamp': "add the column " ~ timestamp_column(entity) ~ " to the export, with a value in every row"
            ~ " (see " ~ format_doc() ~ ")",
        'unknown_stage_label': "map the label in seeds/stage_mapping.csv (a row with source_system " ~ source
            ~ ", entity_type opportunity)",
        'unknown_status_label': "map the label in seeds/stage_mapping.csv (a row with source_system " ~ source
            ~ ", entity_type lead)",
        'unknown_role_label': "map the label in seeds/role_mapping.csv",
        'unknown_activity_type': "map the label in seeds/activity_type_mapping.csv",
        'unknown_opportunity_type': "use new_business, renewal or expansion",
        'unknown_segment_label': "use smb, mid_market or enterprise",
        'unknown_currency': "add the currency's rates to the export or to seeds/exchange_rates.csv",
        'unknown_field': "nothing to fix: only stage, amount, close date, owner and forecast category are read",
        'period_ends_before_start': "fix the rate periods",
        'orphan_reference': "export the records they point to, or fix the ids",
        'parent_quarantined': "fix the parent rows each row's rule_detail names (quarantine.quarantined_rows); these come in with them",
        'missing_exchange_rate': "add the currency's rates for those dates to the export or to seeds/exchange_rates.csv,"
            ~ " or set missing_rate_policy: nearest_earlier",
        'overlapping_role_period': "fix the role periods so that each starts after the person's earlier one ends",
        'conflicting_currency': "make the amount's currency and the currency column agree",
        'ambiguous_currency': "add the currency column, or write the ISO code in the amount",
    } -%}
    {%- if rule in fixes -%}
        {{ return(fixes[rule]) }}
    {%- elif rule.startswith('unparseable_') or rule in ['negative_amount', 'out_of_range'] -%}
        {{ return("fix the values (the forms each column accepts are in " ~ format_doc() ~ "), or add the column if it is empty") }}
    {%- endif -%}
    {{ return("see docs/bad_input.md for this rule") }}
{%- endmacro %}

{#- The export column a missing_timestamp row of an entity lacks, as the format in use names it. -#}
{% macro timestamp_column(entity) -%}
    {%- if var('crm_source') == 'salesforce' -%}
        {%- set columns = {
            'activities': 'CreatedDate of Task and Event (Event: ActivityDateTime)',
            'lead_status_events': 'CreatedDate of LeadHistory',
            'leads': 'CreatedDate of Lead',
            'opportunities': 'CreatedDate of Opportunity',
            'opportunity_changes': 'CreatedDate of OpportunityFieldHistory',
            'user_roles': 'CreatedDate of User',
            'users': 'CreatedDate of User',
        } -%}
    {%- else -%}
        {%- set columns = {
            'activities': 'occurred_at of activities',
            'lead_status_events': 'changed_at of lead_status_events',
            'leads': 'created_at of leads',
            'opportunities': 'created_at of opportunities',
            'opportunity_changes': 'changed_at of opportunity_changes',
            'user_roles': 'valid_from of user_roles',
            'users': 'hired_at of users',
        } -%}
    {%- endif -%}
    {{ return(columns.get(entity, "with the record's timestamp")) }}
{%- endmacro %}

{#- The document of the export format in use, for every message that points to one
    (docs/generic_format.md, docs/salesforce_format.md); the quarantine rules are in
    docs/bad_input.md whatever the format. -#}
{% macro format_doc() -%}
    {{ return('docs/' ~ var('crm_source') ~ '_format.md') }}
{%- endmacro %}
