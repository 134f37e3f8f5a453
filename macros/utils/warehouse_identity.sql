{#- One warehouse per company (docs/one_warehouse_per_company.md).

    The first build into a warehouse records, in the_model_meta.warehouse_identity,
    the export folder it read (absolute), its crm_source and the company's
    fingerprint. Every later build, run, seed or snapshot compares its own with
    them in the on-run-start hook, before any node runs, and stops with a message
    naming the warehouse, what differs and the two fixes when they differ. With
    replace_warehouse: true it drops the project's schemas first (marts, facts,
    intermediate, staging, quarantine, semantic, snapshots) and records the new
    company. dbt test, compile and docs write nothing and are not checked.

    Spark keeps each warehouse in its own folder (THE_MODEL_SPARK_WAREHOUSE, one
    Spark process at a time) and has no snapshots; nothing is recorded there. -#}

{% macro warehouse_identity_schema() -%}
    {{ return('the_model_meta') }}
{%- endmacro %}

{#- The schemas the project writes (generate_schema_name gives them their exact
    names): everything replace_warehouse drops. The raw_* schemas the loader fills
    on PostgreSQL and Spark hold the new export already and stay. -#}
{% macro project_schemas() -%}
    {%- set schemas = [] -%}
    {%- for schema in ['staging', 'intermediate', 'facts', 'marts', 'quarantine', 'semantic', 'snapshots'] -%}
        {%- do schemas.append(schema ~ var('schema_suffix', '')) -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values()
        if node.package_name == project_name and node.resource_type in ['model', 'seed', 'snapshot']
        and node.schema not in schemas and node.schema != target.schema -%}
        {%- do schemas.append(node.schema) -%}
    {%- endfor -%}
    {{ return(schemas) }}
{%- endmacro %}

{% macro check_warehouse_identity() -%}
    {{ return(adapter.dispatch('check_warehouse_identity', 'the_model')()) }}
{%- endmacro %}

{% macro spark__check_warehouse_identity() -%}
    {{ return('') }}
{%- endmacro %}

{% macro default__check_warehouse_identity() -%}
    {%- if not execute or flags.WHICH not in ['build', 'run', 'seed', 'snapshot'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relation = api.Relation.create(
        database=target.database, schema=warehouse_identity_schema(), identifier='warehouse_identity') -%}
    {%- set recorded = none -%}
    {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none -%}
        {%- set rows = run_query(
            "select export_folder, crm_source, company_fingerprint, fingerprint_name_hashes from " ~ relation) -%}
        {%- if rows | length > 0 -%}
            {%- set recorded = {'export_folder': rows[0][0], 'crm_source': rows[0][1],
                'company_fingerprint': rows[0][2] or '', 'name_hashes': rows[0][3] or ''} -%}
        {%- endif -%}
    {%- endif -%}
    {%- set this_build = {
        'export_folder': absolute_path(var('crm_export_path')),
        'crm_source': var('crm_source')} -%}
    {%- do this_build.update(company_fingerprint(recorded)) -%}
    {%- set differs = [] -%}
    {%- if recorded is not none -%}
        {%- if recorded['export_folder'] != this_build['export_folder'] -%}{%- do differs.append('export folder') -%}{%- endif -%}
        {%- if recorded['crm_source'] != this_build['crm_source'] -%}{%- do differs.append('crm_source') -%}{%- endif -%}
        {%- if not this_build['same_company'] -%}{%- do differs.append('company fingerprint') -%}{%- endif -%}
    {%- endif -%}

    {%- if differs and not var('replace_warehouse', false) -%}
        {{ exceptions.raise_compiler_error(warehouse_identity_message(recorded, this_build, differs)) }}
    {%- endif -%}

    {%- if var('replace_warehouse', false) and (differs or recorded is none) -%}
        {#- nothing of the recorded company may survive: its marts, its quarantine and
            its snapshot history (the snapshot would feed its deals back into the
            stage history) -#}
        {%- for schema in project_schemas() + [warehouse_identity_schema()] -%}
            {%- set empty = api.Relation.create(database=target.database, schema=schema) -%}
            {%- do adapter.drop_schema(empty) -%}
            {#- dbt created the schemas of the selected nodes before this hook: they must be there -#}
            {%- do adapter.create_schema(empty) -%}
        {%- endfor -%}
        {{ log("replace_warehouse: dropped the schemas " ~ project_schemas() | join(', ') ~ " of "
            ~ warehouse_name() ~ (" (built from " ~ recorded['export_folder'] ~ ")" if recorded else "")
            ~ " before building " ~ this_build['export_folder'], info=True) }}
        {%- set recorded = none -%}
    {%- elif var('replace_warehouse', false) -%}
        {{ log("replace_warehouse: " ~ warehouse_name() ~ " already holds this company's build;"
            ~ " nothing dropped (dbt build --full-refresh rebuilds it)", info=True) }}
    {%- endif -%}

    {%- if recorded is none -%}
        {%- do adapter.create_schema(relation) -%}
        {%- do warehouse_write("drop table if exists " ~ relation) -%}
        {%- do warehouse_write(
            "create table " ~ relation ~ " as select "
            ~ sql_text(this_build['export_folder']) ~ " as export_folder, "
            ~ sql_text(this_build['crm_source']) ~ " as crm_source, "
            ~ sql_text(this_build['company_fingerprint']) ~ " as company_fingerprint, "
            ~ sql_text(this_build['name_hashes']) ~ " as fingerprint_name_hashes, "
            ~ dbt.current_timestamp() ~ " as first_built_at, "
            ~ dbt.current_timestamp() ~ " as last_built_at") -%}
        {{ log("Warehouse " ~ warehouse_name() ~ ": new, recorded as the company of "
            ~ this_build['export_folder'] ~ " (crm_source " ~ this_build['crm_source'] ~ ").", info=True) }}
    {%- else -%}
        {%- do warehouse_write("update " ~ relation ~ " set last_built_at = " ~ dbt.current_timestamp()) -%}
        {{ log("Warehouse " ~ warehouse_name() ~ ": the company of " ~ this_build['export_folder']
            ~ " (crm_source " ~ this_build['crm_source'] ~ "), as recorded.", info=True) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- One write of the hook, committed at once: run_query opens no transaction of dbt's
    own, while PostgreSQL holds its writes in one until a commit. -#}
{% macro warehouse_write(sql) -%}
    {%- call statement('the_model_warehouse_write', fetch_result=false, auto_begin=true) -%}
        {{ sql }}
    {%- endcall -%}
    {%- do adapter.commit() -%}
{%- endmacro %}

{#- The company fingerprint: the 5 accounts with the smallest ids, each as its id
    and a hash of its name. Why accounts: every format has them (the generic
    format requires the file, and so does every Salesforce org), their ids never
    change, and an account is rarely deleted, so the oldest ones are in every daily
    export of one company. Why the name too: ids alone are not enough, since
    two companies can number accounts the same way (the demo generator writes
    acc-0000001 for every company it makes), while their names differ. Only the
    hash of a name is kept. The same company: at least one recorded account is in
    this export with the same name, so a merged or renamed account, or new
    accounts with smaller ids (random ids), do not stop a daily build. -#}
{% macro company_fingerprint(recorded) -%}
    {%- set source_name = var('crm_source') -%}
    {%- if source_name == 'salesforce' -%}
        {%- set entity, id_column, name_column = 'account', 'id', 'name' -%}
    {%- else -%}
        {%- set entity, id_column, name_column = 'accounts', 'account_id', 'account_name' -%}
    {%- endif -%}
    {%- set accounts = "(" ~ read_export(source_name, entity) ~ ") as accounts" -%}
    {%- set first = run_query(
        "select trim(" ~ id_column ~ "), " ~ name_column ~ " from " ~ accounts
        ~ " where trim(" ~ id_column ~ ") <> '' group by trim(" ~ id_column ~ "), " ~ name_column
        ~ " order by 1, 2 limit 5") -%}
    {%- set ids, hashes = [], [] -%}
    {%- for row in first if row[0] not in ids -%}
        {%- do ids.append(row[0]) -%}
        {%- do hashes.append(local_md5((row[1] or '') | trim | lower)[:12]) -%}
    {%- endfor -%}
    {%- set found = {'company_fingerprint': ('accounts ' ~ ids | join(', ')) if ids else '',
        'name_hashes': hashes | join(','), 'same_company': true} -%}
    {%- if recorded is not none and recorded['company_fingerprint'] -%}
        {%- set recorded_ids = recorded['company_fingerprint'].replace('accounts ', '', 1).split(', ') -%}
        {%- set recorded_hashes = recorded['name_hashes'].split(',') -%}
        {%- set matches, quoted = [], [] -%}
        {%- for recorded_id in recorded_ids -%}{%- do quoted.append(sql_text(recorded_id)) -%}{%- endfor -%}
        {%- for row in run_query(
            "select trim(" ~ id_column ~ "), " ~ name_column ~ " from " ~ accounts
            ~ " where trim(" ~ id_column ~ ") in (" ~ quoted | join(', ') ~ ")") -%}
            {%- set position = recorded_ids.index(row[0]) if row[0] in recorded_ids else -1 -%}
            {%- if position >= 0 and position < recorded_hashes | length
                and recorded_hashes[position] == local_md5((row[1] or '') | trim | lower)[:12] -%}
                {%- do matches.append(row[0]) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do found.update({'same_company': matches | length > 0}) -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}

{#- The export folder as an absolute path without ./ and ../, so one folder has one
    spelling however it was given. dbt runs in the project folder (project_dir), which
    a relative crm_export_path is read from. -#}
{% macro absolute_path(path) -%}
    {%- set path = (path | string).replace('\\', '/') -%}
    {%- if not path.startswith('/') -%}
        {%- set path = invocation_args_dict.get('project_dir', '.') ~ '/' ~ path -%}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for part in path.split('/') if part not in ['', '.'] -%}
        {%- if part == '..' -%}
            {%- if parts -%}{%- do parts.pop() -%}{%- endif -%}
        {%- else -%}
            {%- do parts.append(part) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('/' ~ parts | join('/')) }}
{%- endmacro %}

{% macro sql_text(value) -%}
    {{ return("'" ~ (value | string).replace("'", "''") ~ "'") }}
{%- endmacro %}

{#- How messages name the warehouse: the DuckDB file, or the database and server. -#}
{% macro warehouse_name() -%}
    {%- if target.type == 'duckdb' -%}
        {{ return(target.path) }}
    {%- endif -%}
    {{ return(target.type ~ " database " ~ target.database ~ " on " ~ target.get('host', '?') ~ ":" ~ target.get('port', '?')) }}
{%- endmacro %}

{% macro warehouse_identity_message(recorded, this_build, differs) -%}
    {%- set other = "set THE_MODEL_DUCKDB_PATH to a file of its own, or leave it unset: the file is then named from the export folder (warehouse/<folder name>.duckdb)"
        if target.type == 'duckdb' else "set THE_MODEL_PG_DATABASE to a database of its own" -%}
    {%- set lines = [
        "Warehouse " ~ warehouse_name() ~ " holds another company's build: this build would mix two companies in one warehouse, so it stopped before writing anything (" ~ differs | join(', ') ~ (" differ)." if differs | length > 1 else " differs)."),
        "  recorded:   export folder " ~ recorded['export_folder'] ~ ", crm_source " ~ recorded['crm_source'] ~ ", company fingerprint " ~ fingerprint_text(recorded),
        "  this build: export folder " ~ this_build['export_folder'] ~ ", crm_source " ~ this_build['crm_source'] ~ ", company fingerprint " ~ fingerprint_text(this_build),
        "(The company fingerprint is the 5 accounts with the smallest ids, each with a hash of its name; one company's daily exports share at least one of them"
            ~ (": this export has none of the recorded ones." if 'company fingerprint' in differs else ".") ~ ")",
        "Either build this export into a warehouse of its own: " ~ other ~ ";",
        "or replace everything in this warehouse with this export: add replace_warehouse: true to --vars, e.g. --vars '{crm_export_path: " ~ var('crm_export_path') ~ ", crm_source: " ~ var('crm_source') ~ ", replace_warehouse: true}' (drops the schemas " ~ project_schemas() | join(', ') ~ " first: the recorded company's marts, quarantine and snapshot history are gone).",
        "A daily export of one company belongs in one folder: copy each day's files into the folder the warehouse records."] -%}
    {{ return(lines | join('\n')) }}
{%- endmacro %}

{% macro fingerprint_text(identity) -%}
    {%- if not identity['company_fingerprint'] -%}
        {{ return('none (no accounts)') }}
    {%- endif -%}
    {%- set ids = identity['company_fingerprint'].replace('accounts ', '', 1).split(', ') -%}
    {%- set hashes = identity['name_hashes'].split(',') -%}
    {%- set shown = [] -%}
    {%- for id in ids -%}
        {%- do shown.append(id ~ ' (name ' ~ (hashes[loop.index0] if loop.index0 < hashes | length else '?') ~ ')') -%}
    {%- endfor -%}
    {{ return('accounts ' ~ shown | join(', ')) }}
{%- endmacro %}

{#- dbt build --full-refresh leaves snapshots as they are; this project's snapshot
    feeds the stage history, so a full refresh that selects it drops it first and
    the snapshot starts again from the export (the rows of an export that changed,
    or of another company, would otherwise come back into the history). -#}
{% macro reset_snapshots_on_full_refresh() -%}
    {%- if not execute or not flags.FULL_REFRESH or flags.WHICH not in ['build', 'snapshot'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set dropped = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'snapshot' and node.unique_id in selected_resources -%}
        {%- set existing = adapter.get_relation(node.database, node.schema, node.alias or node.name) -%}
        {%- if existing is not none -%}
            {#- through the adapter, so its relation cache forgets the table and the
                snapshot materialization creates it anew -#}
            {%- do adapter.drop_relation(existing) -%}
            {%- do dropped.append(existing | string) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if dropped -%}
        {%- do warehouse_write("select 1 as committed") -%}
        {{ log("--full-refresh: dropped the snapshot " ~ dropped | join(', ') ~ "; it starts again from this export", info=True) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
