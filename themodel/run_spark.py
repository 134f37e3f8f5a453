"""`python -m themodel run --target spark`: write, audit, publish on Spark.

Spark cannot rename a database, nor move a table from one database to another,
so a run builds into one of two slots and the published databases hold views:

  staging, marts, ...        what readers query: one view per table of the live slot
  staging__a, marts__a, ...  slot a: the tables of one run (raw_<source>__a too)
  staging__b, marts__b, ...  slot b: the next run builds here while a is live

A run empties the slot that is not live, loads the export into it and builds it
(the schema_suffix var), runs every data test (and unit test unless
--skip-unit-tests), copies its marts into a DuckDB file for the expectation
suites, and only when all pass switches: every published view is replaced by one
on the new slot. The warehouse folder's `the_model_run.json` says which slot is
live; it names the new slot with `switching` before the views change and
`published` after, so a run killed during the switch is finished by the next run
(the slot had passed every check). A failed run leaves the live slot and every
view as they were; its slot keeps the candidate for inspection until the next run.

Spark's embedded catalog (Derby) takes one process at a time: the steps here run
one after the other, each Spark step in a process of its own
(`python -m themodel.run_spark <step>`), never beside dbt.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

import duckdb

from themodel.run import (
    NOT_PUBLISHED,
    PUBLISHED,
    Layout,
    Outcome,
    Steps,
    export_fingerprint,
    now,
)
from themodel.warehouse import PUBLICATION_LOG

SLOTS = ("__a", "__b")
# the databases the project builds on Spark (no snapshots there) and the raw one
PROJECT_SCHEMAS = ["staging", "intermediate", "facts", "marts", "quarantine", "semantic"]
# what the expectation suites read besides the marts (themodel/validation/expected.py)
VALIDATION_INPUTS = {
    "stg_crm__leads": "channel",
    "stg_crm__campaigns": "channel",
    "stg_crm__opportunities": "owner_id",
    "stage_mapping": "*",
}
DUCK_TYPES = {
    "int": "bigint",
    "bigint": "bigint",
    "smallint": "bigint",
    "tinyint": "bigint",
    "double": "double",
    "float": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
    "timestamp_ntz": "timestamp",
}


def warehouse_folder() -> Path:
    """The spark profile's warehouse folder (profiles.yml's default when unset)."""
    return Path(os.environ.get("THE_MODEL_SPARK_WAREHOUSE", "warehouse/spark")).resolve()


def layout_for() -> Layout:
    """Lock, log and the live-slot record, in the Spark warehouse folder."""
    folder = warehouse_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return Layout(folder / "the_model_run")


def state_file(layout: Layout) -> Path:
    return layout.published.with_name("the_model_run.json")


def read_state(layout: Layout) -> dict:
    path = state_file(layout)
    return json.loads(path.read_text()) if path.exists() else {}


def write_state(layout: Layout, state: dict) -> None:
    """Written whole to a temporary file, synced, renamed: never half a record."""
    path = state_file(layout)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def spark_step(steps: Steps, name: str, *arguments: str) -> int:
    command = [sys.executable, "-m", "themodel.run_spark", name, *arguments]
    code, _ = steps.call(f"spark {name}", command)
    return code


def run(
    layout: Layout,
    exports: Path,
    project: Path,
    crm_source: str,
    extra_vars: dict,
    dbt: str,
    lock: int,
) -> int:
    import shutil

    shutil.rmtree(layout.candidate_dir, ignore_errors=True)
    layout.candidate_dir.mkdir()
    steps = Steps(layout, project, lock)
    state = read_state(layout)
    if state.get("state") == "switching":
        # killed during the switch: that slot passed every check, finish it
        print(f"finishing the interrupted switch to slot {state['slot']}", flush=True)
        if spark_step(steps, "switch", state["slot"], crm_source) != 0:
            print(f"not published: the interrupted switch failed; see {layout.log}")
            return NOT_PUBLISHED
        write_state(layout, {**state, "state": "published"})
        state = read_state(layout)
    live = state.get("slot")
    slot = SLOTS[1] if live == SLOTS[0] else SLOTS[0]
    outcome = Outcome(run_id=uuid.uuid4().hex, started_at=now())
    fingerprint = export_fingerprint(exports)
    summary = layout.candidate_dir / "outcome.json"

    def write_summary(is_published: bool) -> None:
        summary.write_text(
            json.dumps(
                {
                    "run_id": outcome.run_id,
                    "export_folder": str(exports),
                    "export_fingerprint": fingerprint,
                    "tests_passed": outcome.tests_passed,
                    "tests_failed": outcome.tests_failed,
                    "is_published": is_published,
                    "reason": "every data test, unit test and expectation passed"
                    if is_published
                    else "; ".join(outcome.failures),
                    "started_at": outcome.started_at.replace(tzinfo=None).isoformat(),
                    "finished_at": now().replace(tzinfo=None).isoformat(),
                }
            )
        )

    built = False
    if not steps.doctor(exports, extra_vars):
        outcome.failures.append("doctor found blockers in the export folder")
    elif spark_step(steps, "empty", slot, crm_source) != 0:
        outcome.failures.append(f"emptying slot {slot} failed")
    else:
        load = [sys.executable, "-m", "themodel", "load", "--target", "spark"]
        load += ["--exports", str(exports), "--source", crm_source, "--schema-suffix", slot]
        if extra_vars.get("export_encoding"):
            load += ["--export-encoding", str(extra_vars["export_encoding"])]
        code, _ = steps.call("load", load)
        if code != 0:
            outcome.failures.append(f"load into raw_{crm_source}{slot} failed")
        else:
            build_vars = {
                **extra_vars,
                "crm_export_path": str(exports),
                "crm_source": crm_source,
                "run_id": outcome.run_id,
                "schema_suffix": slot,
            }
            steps.build(dbt, build_vars, outcome, THE_MODEL_TARGET="spark")
            built = True
            if outcome.failures:
                pass  # nothing to publish: no validation of a build that failed
            elif spark_step(steps, "export", slot, str(layout.candidate)) != 0:
                outcome.failures.append("copying the marts for validation failed")
            else:
                steps.validate(outcome)
    live_text = f"slot {live}" if live else "none yet"
    if outcome.failures:
        write_summary(is_published=False)
        if built:
            spark_step(steps, "record", slot, str(summary), live or "")
        shutil.rmtree(layout.failed_dir, ignore_errors=True)
        layout.candidate_dir.rename(layout.failed_dir)
        kept = (
            f"databases {', '.join(s + slot for s in PROJECT_SCHEMAS)}"
            if built
            else "nothing built"
        )
        print(f"log of the failed run: {layout.failed_dir / 'run.log'}")
        print(
            f"not published: {'; '.join(outcome.failures)}; last good publication unchanged"
            f" ({live_text}); candidate kept as {kept}"
        )
        return NOT_PUBLISHED
    write_summary(is_published=True)
    if spark_step(steps, "record", slot, str(summary), live or "") != 0:
        print(f"not published: recording the run failed; see {layout.log}")
        return NOT_PUBLISHED
    write_state(layout, {"slot": slot, "state": "switching", "run_id": outcome.run_id})
    if spark_step(steps, "switch", slot, crm_source) != 0:
        print(
            f"not published yet: the switch failed and the next run finishes it; see {layout.log}"
        )
        return NOT_PUBLISHED
    write_state(layout, {"slot": slot, "state": "published", "run_id": outcome.run_id})
    shutil.rmtree(layout.candidate_dir, ignore_errors=True)
    print(
        f"published Spark databases {', '.join(PROJECT_SCHEMAS)} (slot {slot}):"
        f" run {outcome.run_id}, {outcome.tests_passed} checks passed"
    )
    return PUBLISHED


# --- the Spark steps, each in a process of its own ------------------------------


def relations(spark, database: str) -> dict[str, str]:
    """Table name -> VIEW, MANAGED or EXTERNAL, in a database ({} when none)."""
    if not spark.catalog.databaseExists(database):
        return {}
    return {t.name: t.tableType for t in spark.catalog.listTables(database) if not t.isTemporary}


def empty(spark, slot: str, crm_source: str) -> None:
    for schema in PROJECT_SCHEMAS + [f"raw_{crm_source}"]:
        spark.sql(f"drop database if exists `{schema}{slot}` cascade")


def export(spark, slot: str, duck_path: str) -> None:
    """The slot's marts and the staged values the suites read, into a DuckDB file
    under the published names."""
    with duckdb.connect(duck_path) as duck:
        for schema, wanted in [
            ("marts", {name: "*" for name in relations(spark, "marts" + slot)}),
            ("staging", VALIDATION_INPUTS),
        ]:
            duck.execute(f"create schema if not exists {schema}")
            for name, columns in wanted.items():
                if name not in relations(spark, schema + slot):
                    continue
                frame = spark.table(f"`{schema}{slot}`.`{name}`")
                fields = [f for f in frame.schema.fields if columns in ("*", f.name)]
                types = {
                    f.name: DUCK_TYPES.get(f.dataType.simpleString().split("(")[0], "varchar")
                    for f in fields
                }
                if any(f.dataType.simpleString().startswith("decimal") for f in fields):
                    types.update(
                        {
                            f.name: "double"
                            for f in fields
                            if f.dataType.simpleString().startswith("decimal")
                        }
                    )
                definition = ", ".join(f'"{name_}" {kind}' for name_, kind in types.items())
                duck.execute(f'create table {schema}."{name}" ({definition})')
                rows = [tuple(row) for row in frame.select(*types).collect()]
                if rows:
                    marks = ", ".join("?" for _ in types)
                    duck.executemany(f'insert into {schema}."{name}" values ({marks})', rows)


def record(spark, slot: str, summary_path: str, live: str) -> None:
    """The slot's marts.publication_log: the live one's rows and this run's."""
    summary = json.loads(Path(summary_path).read_text())
    marts = f"`marts{slot}`"
    # a failed build may have skipped every mart
    spark.sql(f"create database if not exists {marts}")
    counts = {
        name: spark.table(f"{marts}.`{name}`").count()
        for name in relations(spark, "marts" + slot)
        if name != PUBLICATION_LOG
    }
    as_of = None
    if "int_as_of_date" in relations(spark, "intermediate" + slot):
        as_of = spark.sql(f"select max(as_of_at) from `intermediate{slot}`.int_as_of_date").first()[
            0
        ]
    spark.sql(f"drop table if exists {marts}.{PUBLICATION_LOG}")
    previous = ""
    if live and PUBLICATION_LOG in relations(spark, "marts" + live):
        previous = f" union all select * from `marts{live}`.{PUBLICATION_LOG}"
    row = spark.createDataFrame(
        [
            (
                summary["run_id"],
                as_of,
                summary["export_folder"],
                summary["export_fingerprint"],
                json.dumps(counts, sort_keys=True),
                summary["tests_passed"],
                summary["tests_failed"],
                summary["is_published"],
                summary["reason"],
                summary["started_at"],
                summary["finished_at"],
            )
        ],
        "run_id string, as_of_at timestamp, export_folder string, export_fingerprint string,"
        " mart_row_counts string, tests_passed bigint, tests_failed bigint,"
        " is_published boolean, reason string, started_at string, finished_at string",
    )
    row.createOrReplaceTempView("this_run")
    spark.sql(
        f"create table {marts}.{PUBLICATION_LOG} using parquet as"
        " select run_id, as_of_at, export_folder, export_fingerprint, mart_row_counts,"
        " tests_passed, tests_failed, is_published, reason,"
        " cast(started_at as timestamp) as started_at,"
        " cast(finished_at as timestamp) as finished_at from this_run" + previous
    )


def switch(spark, slot: str, crm_source: str) -> None:
    """Every published database's views onto the slot; relations the slot lacks go."""
    for schema in PROJECT_SCHEMAS + [f"raw_{crm_source}"]:
        new = relations(spark, schema + slot)
        if not new:
            continue
        spark.sql(f"create database if not exists `{schema}`")
        for name, kind in relations(spark, schema).items():
            if kind != "VIEW":  # a table of a plain dbt build, or gone from the slot
                spark.sql(f"drop table if exists `{schema}`.`{name}`")
            elif name not in new:
                spark.sql(f"drop view if exists `{schema}`.`{name}`")
        for name in new:
            spark.sql(
                f"create or replace view `{schema}`.`{name}` as"
                f" select * from `{schema}{slot}`.`{name}`"
            )


def main(argv: list[str]) -> int:
    from themodel.spark import spark_session

    step, *arguments = argv
    spark = spark_session()
    try:
        {"empty": empty, "export": export, "record": record, "switch": switch}[step](
            spark, *arguments
        )
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
