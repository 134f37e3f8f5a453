{#- The message of the quarantine-share gate (tests/generic/test_quarantine_share_within_threshold.sql):
    per failing entity its quarantined rows and share, and per rule the count, the
    share of the entity's rows, three example keys and the fix. `failing` holds the
    gate's rows (entity, quarantined_share, max_share); set-aside rules are not
    counted, as in row_accounting.quarantined_share. -#}
{% macro quarantine_share_message(accounting, quarantined, failing) -%}
    {%- set entities = failing.columns[0].values() | list -%}
    {%- set entity_list = "'" ~ entities | join("', '") ~ "'" -%}
    {%- set set_aside = "'" ~ set_aside_rules() | join("', '") ~ "'" -%}
    {%- set max_share = var('quarantine_max_share') | float -%}
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
    {%- set lines = [
        "Too much of the export is quarantined: more than quarantine_max_share ("
        ~ "%.2f%%" | format(max_share * 100) ~ ") of the rows of " ~ entities | join(', ')
        ~ " broke a rule, so figures built on them cannot be trusted."] -%}
    {%- for row in failing -%}
        {%- set entity, share = row[0], row[1] | float -%}
        {%- do lines.append("- " ~ entity ~ ": " ~ "%.2f%%" | format(share * 100) ~ " of "
            ~ totals.get(entity, '?') ~ " rows quarantined (threshold " ~ "%.2f%%" | format(max_share * 100) ~ "):") -%}
        {%- for key, found in rules.items() if found['entity'] == entity -%}
            {%- do lines.append("    rule " ~ found['rule'] ~ ": " ~ found['rows'] ~ " rows ("
                ~ "%.2f%%" | format(100.0 * found['rows'] / (totals.get(entity, 0) or 1)) ~ "), e.g. "
                ~ found['keys'] | join(', ') ~ ". Fix: " ~ quarantine_rule_fix(found['rule']) ~ ".") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set worst = failing.columns[1].values() | map('float') | max -%}
    {%- do lines.append("Every quarantined row, with its file, row and raw text, is in quarantine.quarantined_rows"
        ~ " (docs/bad_input.md). Fix the export or the mapping seeds and build again; or, to build on"
        ~ " the rows that passed, raise quarantine_max_share (--vars '{quarantine_max_share: "
        ~ "%.2f" | format(((worst * 100) | round(0, 'ceil')) / 100) ~ "}').") -%}
    {{ return(lines | join('\n')) }}
{%- endmacro %}

{#- What to do about the rows a quarantine rule holds (docs/bad_input.md lists them). -#}
{% macro quarantine_rule_fix(rule) -%}
    {%- set fixes = {
        'missing_key': "export the key column's value for every row",
        'conflicting_duplicate': "decide which row of each key is right, fix it in the CRM and export again",
        'soft_deleted': "nothing to fix if the records were deleted on purpose; else restore them in the CRM",
        'deleted_in_source': "nothing to fix if the records were deleted on purpose",
        'missing_timestamp': "export the column's value",
        'unknown_stage_label': "map the label in seeds/stage_mapping.csv",
        'unknown_status_label': "map the label in seeds/stage_mapping.csv",
        'unknown_role_label': "map the label in seeds/role_mapping.csv",
        'unknown_activity_type': "map the label in seeds/activity_type_mapping.csv",
        'unknown_opportunity_type': "use new_business, renewal or expansion",
        'unknown_segment_label': "use smb, mid_market or enterprise",
        'unknown_currency': "add the currency's rates to the export or to seeds/exchange_rates.csv",
        'unknown_field': "nothing to fix: only stage, amount, close date, owner and forecast category are read",
        'period_ends_before_start': "fix the rate periods",
        'orphan_reference': "export the records they point to, or fix the ids",
    } -%}
    {%- if rule in fixes -%}
        {{ return(fixes[rule]) }}
    {%- elif rule.startswith('unparseable_') or rule in ['negative_amount', 'out_of_range'] -%}
        {{ return("fix the values (the forms each column accepts are in docs/generic_format.md), or add the column if it is empty") }}
    {%- endif -%}
    {{ return("see docs/bad_input.md for this rule") }}
{%- endmacro %}
