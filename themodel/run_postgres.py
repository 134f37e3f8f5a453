"""`python -m themodel run --target postgres`: write, audit, publish on PostgreSQL.

The run loads the export into raw_<source>__candidate and builds every project
schema as <schema>__candidate (the schema_suffix var; generate_schema_name adds
it). The incremental model and the snapshot carry on from the published ones:
their tables are copied into the candidate schemas first. Every data test and unit
test runs there; the marts (and the staged values the suites read) are copied into
a DuckDB file beside the run's log and the Great Expectations suites run on it.
Only when all pass, one transaction renames each published schema to
<schema>__old, each candidate to its name, and drops the old ones: a reader sees
the old publication or the new one, never a mix (PostgreSQL views point at tables,
not names, so the candidate's views follow the rename). A failed run renames its
candidate schemas to <schema>__failed, for inspection, and publishes nothing.

A PostgreSQL advisory lock (held by the run's own connection, so a killed run
releases it) stops a second run on the same database. A killed run leaves
candidate schemas, never a half swap; the next run drops them first.
"""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from pathlib import Path

import duckdb

from themodel.load import LoadError, connect_postgres
from themodel.run import (
    NOT_PUBLISHED,
    PUBLISHED,
    Busy,
    Layout,
    Outcome,
    Steps,
    Usage,
    export_fingerprint,
    now,
)
from themodel.warehouse import PUBLICATION_LOG

CANDIDATE, OLD, FAILED = "__candidate", "__old", "__failed"
PROJECT_SCHEMAS = [
    "staging",
    "intermediate",
    "facts",
    "marts",
    "quarantine",
    "semantic",
    "snapshots",
]
# tables a build carries on from the published warehouse: the incremental model and
# the snapshot (tests/python/test_run_publish.py checks the list against the project)
CARRIED_ON = {
    "intermediate": ["int_pipeline_daily", "int_stage_events_unioned"],
    "snapshots": ["opportunities_snapshot"],
}
# what the expectation suites read besides the marts (themodel/validation/expected.py)
VALIDATION_INPUTS = {
    "stg_crm__leads": "channel",
    "stg_crm__campaigns": "channel",
    "stg_crm__opportunities": "owner_id",
    "stage_mapping": "*",
}
LOCK_KEY = "the_model run"
DUCK_TYPES = {
    "numeric": "double",
    "double precision": "double",
    "real": "double",
    "integer": "bigint",
    "bigint": "bigint",
    "smallint": "bigint",
    "boolean": "boolean",
    "date": "date",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
}

PUBLICATION_LOG_DDL = f"""
create table if not exists {{schema}}.{PUBLICATION_LOG} (
    run_id text not null,
    as_of_at timestamp,
    export_folder text not null,
    export_fingerprint text not null,
    mart_row_counts text,
    tests_passed bigint not null,
    tests_failed bigint not null,
    is_published boolean not null,
    reason text not null,
    started_at timestamp not null,
    finished_at timestamp not null
)
"""


def layout_for(project: Path, database: str) -> Layout:
    """The run's lock, log and validation files: warehouse/postgres_<database>.*"""
    return Layout(project / "warehouse" / f"postgres_{database}")


def schemas(con) -> set[str]:
    with con.cursor() as cursor:
        cursor.execute("select schema_name from information_schema.schemata")
        return {name for (name,) in cursor.fetchall()}


def tables(con, schema: str) -> list[str]:
    with con.cursor() as cursor:
        cursor.execute(
            "select table_name from information_schema.tables"
            " where table_schema = %s and table_type = 'BASE TABLE' order by 1",
            [schema],
        )
        return [name for (name,) in cursor.fetchall()]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def take_lock(con, database: str) -> None:
    with con.cursor() as cursor:
        cursor.execute("select pg_try_advisory_lock(hashtext(%s))", [LOCK_KEY])
        (taken,) = cursor.fetchone()
    if not taken:
        raise Busy(
            f"another run is publishing PostgreSQL database {database}"
            " (it holds the advisory lock 'the_model run'); try again after it ends"
        )


def drop_schemas_ending(con, suffix: str) -> list[str]:
    dropped = sorted(s for s in schemas(con) if s.endswith(suffix))
    with con.cursor() as cursor:
        for schema in dropped:
            cursor.execute(f"drop schema {quote(schema)} cascade")
    con.commit()
    return dropped


def carry_on(con) -> None:
    """The candidate starts from the published incremental model and snapshot."""
    present = schemas(con)
    with con.cursor() as cursor:
        for schema, names in CARRIED_ON.items():
            if schema not in present:
                continue
            cursor.execute(f"create schema if not exists {quote(schema + CANDIDATE)}")
            for name in set(names) & set(tables(con, schema)):
                cursor.execute(
                    f"create table {quote(schema + CANDIDATE)}.{quote(name)}"
                    f" as select * from {quote(schema)}.{quote(name)}"
                )
    con.commit()


def copy_for_validation(con, duck_path: Path) -> None:
    """The candidate's marts and the staged values the suites read, into a DuckDB
    file under the published schema names (the suites read DataFrames from DuckDB)."""
    with duckdb.connect(str(duck_path)) as duck:
        for schema, wanted in [
            ("marts", {name: "*" for name in tables(con, "marts" + CANDIDATE)}),
            ("staging", VALIDATION_INPUTS),
        ]:
            duck.execute(f"create schema if not exists {schema}")
            for name, columns in wanted.items():
                copy_table(con, duck, schema, name, columns)


def copy_table(con, duck: duckdb.DuckDBPyConnection, schema: str, name: str, columns: str) -> None:
    with con.cursor() as cursor:
        cursor.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = %s and table_name = %s order by ordinal_position",
            [schema + CANDIDATE, name],
        )
        found = [(c, t) for c, t in cursor.fetchall() if columns == "*" or c == columns]
        if not found:
            return
        definition = ", ".join(f'"{c}" {DUCK_TYPES.get(t, "varchar")}' for c, t in found)
        duck.execute(f'create table {schema}."{name}" ({definition})')
        selected = ", ".join(
            f"{quote(c)}::float8" if DUCK_TYPES.get(t) == "double" else quote(c) for c, t in found
        )
        cursor.execute(f"select {selected} from {quote(schema + CANDIDATE)}.{quote(name)}")
        rows = cursor.fetchall()
    if rows:
        marks = ", ".join("?" for _ in found)
        duck.executemany(f'insert into {schema}."{name}" values ({marks})', rows)


def record(con, exports: Path, fingerprint: str, outcome: Outcome, is_published: bool) -> dict:
    """This run's row of marts.publication_log, written into the candidate's marts
    (which already hold the published log, copied on) and committed."""
    marts = "marts" + CANDIDATE
    reason = (
        "every data test, unit test and expectation passed"
        if is_published
        else "; ".join(outcome.failures)
    )
    with con.cursor() as cursor:
        cursor.execute(f"create schema if not exists {quote(marts)}")
        counts = {}
        for name in tables(con, marts):
            if name != PUBLICATION_LOG:
                cursor.execute(f"select count(*) from {quote(marts)}.{quote(name)}")
                counts[name] = cursor.fetchone()[0]
        as_of = None
        if "int_as_of_date" in tables(con, "intermediate" + CANDIDATE):
            intermediate = quote("intermediate" + CANDIDATE)
            cursor.execute(f"select max(as_of_at) from {intermediate}.int_as_of_date")
            (as_of,) = cursor.fetchone()
        cursor.execute(PUBLICATION_LOG_DDL.format(schema=quote(marts)))
        cursor.execute(
            f"insert into {quote(marts)}.{PUBLICATION_LOG}"
            " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                outcome.run_id,
                as_of,
                str(exports),
                fingerprint,
                json.dumps(counts, sort_keys=True),
                outcome.tests_passed,
                outcome.tests_failed,
                is_published,
                reason,
                outcome.started_at.replace(tzinfo=None),
                now().replace(tzinfo=None),
            ],
        )
    con.commit()
    return counts


def carry_publication_log(con) -> None:
    """The candidate's log starts as the published one: one table, every run."""
    if PUBLICATION_LOG in tables(con, "marts"):
        with con.cursor() as cursor:
            cursor.execute(f"create schema if not exists {quote('marts' + CANDIDATE)}")
            cursor.execute(
                f"create table {quote('marts' + CANDIDATE)}.{PUBLICATION_LOG}"
                f" as select * from marts.{PUBLICATION_LOG}"
            )
        con.commit()


def swapped(con, raw_schema: str) -> list[str]:
    """One transaction: every candidate schema takes its published name; the old
    ones go. Nothing is visible to readers until the commit."""
    present = schemas(con)
    names = [s for s in PROJECT_SCHEMAS + [raw_schema] if s + CANDIDATE in present]
    with con.cursor() as cursor:
        for name in names:
            if name in present:
                cursor.execute(f"alter schema {quote(name)} rename to {quote(name + OLD)}")
            cursor.execute(f"alter schema {quote(name + CANDIDATE)} rename to {quote(name)}")
        for name in names:
            if name in present:
                cursor.execute(f"drop schema {quote(name + OLD)} cascade")
    con.commit()
    return names


def keep_failed(con) -> list[str]:
    """The candidate schemas become <schema>__failed (an older failed run's go)."""
    drop_schemas_ending(con, FAILED)
    kept = []
    with con.cursor() as cursor:
        for schema in sorted(s for s in schemas(con) if s.endswith(CANDIDATE)):
            name = schema[: -len(CANDIDATE)] + FAILED
            cursor.execute(f"alter schema {quote(schema)} rename to {quote(name)}")
            kept.append(name)
    con.commit()
    return kept


def last_publication(con) -> str:
    if PUBLICATION_LOG not in tables(con, "marts"):
        return "none recorded"
    with con.cursor() as cursor:
        cursor.execute(
            f"select run_id from marts.{PUBLICATION_LOG} where is_published"
            " order by finished_at desc limit 1"
        )
        row = cursor.fetchone()
    return f"run {row[0]}" if row else "none recorded"


def run(
    layout: Layout,
    exports: Path,
    project: Path,
    crm_source: str,
    extra_vars: dict,
    dbt: str,
    lock: int,
    database: str,
) -> int:
    try:
        con = connect_postgres()
    except LoadError as error:
        raise Usage(str(error)) from error
    try:
        take_lock(con, database)
        return audited_run(con, layout, exports, project, crm_source, extra_vars, dbt, lock)
    finally:
        con.close()


def audited_run(con, layout, exports, project, crm_source, extra_vars, dbt, lock) -> int:
    for leftover in drop_schemas_ending(con, CANDIDATE):
        print(f"dropped the candidate schema of an interrupted run: {leftover}", flush=True)
    shutil.rmtree(layout.candidate_dir, ignore_errors=True)
    layout.candidate_dir.mkdir(parents=True)
    outcome = Outcome(run_id=uuid.uuid4().hex, started_at=now())
    steps = Steps(layout, project, lock)
    raw_schema = f"raw_{crm_source}"
    if not steps.doctor(exports, extra_vars):
        outcome.failures.append("doctor found blockers in the export folder")
    else:
        load = [sys.executable, "-m", "themodel", "load", "--target", "postgres"]
        load += ["--exports", str(exports), "--source", crm_source, "--schema-suffix", CANDIDATE]
        if extra_vars.get("export_encoding"):
            load += ["--export-encoding", str(extra_vars["export_encoding"])]
        code, _ = steps.call("load", load)
        if code != 0:
            outcome.failures.append(f"load into {raw_schema}{CANDIDATE} failed")
        else:
            carry_on(con)
            carry_publication_log(con)
            build_vars = {
                **extra_vars,
                "crm_export_path": str(exports),
                "crm_source": crm_source,
                "run_id": outcome.run_id,
                "schema_suffix": CANDIDATE,
            }
            steps.build(dbt, build_vars, outcome, THE_MODEL_TARGET="postgres")
            # after a build --fail-fast stopped, the suites would only list what it left out
            if "marts" + CANDIDATE in schemas(con) and not (steps.fail_fast and outcome.failures):
                copy_for_validation(con, layout.candidate)
                steps.validate(outcome)
    fingerprint = export_fingerprint(exports)
    if outcome.failures:
        if "marts" + CANDIDATE in schemas(con):
            record(con, exports, fingerprint, outcome, is_published=False)
        kept = keep_failed(con)
        shutil.rmtree(layout.failed_dir, ignore_errors=True)
        layout.candidate_dir.rename(layout.failed_dir)
        where = f"schemas {', '.join(kept)}" if kept else "nothing built"
        print(f"log of the failed run: {layout.failed_dir / 'run.log'}")
        print(
            f"not published: {'; '.join(outcome.failures)}; last good publication unchanged"
            f" ({last_publication(con)}); candidate kept as {where}"
        )
        return NOT_PUBLISHED
    counts = record(con, exports, fingerprint, outcome, is_published=True)
    names = swapped(con, raw_schema)
    drop_schemas_ending(con, FAILED)
    shutil.rmtree(layout.candidate_dir, ignore_errors=True)
    print(
        f"published PostgreSQL schemas {', '.join(names)}: run {outcome.run_id},"
        f" {len(counts)} marts, {outcome.tests_passed} checks passed"
    )
    return PUBLISHED
