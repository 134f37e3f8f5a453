-- The quarantine gate: one row per export entity, with what its quarantined
-- share decides. Every model that reads staging (intermediate, facts, marts,
-- semantic) is its child: it calls the macro after_quarantine_gate()
-- (macros/staging/after_quarantine_gate.sql), and the others follow their parents;
-- tests/python/test_quarantine_gate_message.py fails when a model escapes it.
-- When an entity of at least quarantine_min_rows rows has more than
-- quarantine_max_share of them quarantined, this model fails with a message
-- naming entity, rule, count, share, example keys and fix, and dbt skips every
-- child: under `dbt build`, `dbt run` or a --select that includes the gate, no
-- intermediate model, fact or mart is replaced, and the warehouse keeps the
-- tables of its last good build. A smaller entity over the share only warns.
-- The check runs when the model runs (run, build), not when it compiles (docs,
-- lint), and reads row_accounting, which dbt builds just before it.
{#- both refs outside the condition below, so dbt records them as parents -#}
{%- set quarantined = ref('quarantined_rows') %}
{%- set decided_sql %}
with accounting as (
    select
        entity,
        raw_rows,
        quarantined_rows - set_aside_rows as untrusted_rows,
        quarantined_share
    from {{ ref('row_accounting') }}
),

decided as (
    select
        entity,
        raw_rows,
        untrusted_rows,
        quarantined_share,
        case
            when quarantined_share <= {{ var('quarantine_max_share') }} then 'pass'
            when raw_rows < {{ var('quarantine_min_rows') }} then 'warn'
            else 'stop'
        end as gate_decision
    from accounting
)

select * from decided
{%- endset %}
{%- if execute and flags.WHICH in ['run', 'build', 'retry'] %}
    {%- do check_quarantine_gate(decided_sql, ref('row_accounting'), quarantined) %}
{%- endif %}
{{ decided_sql }}
