"""Issue 20 on PostgreSQL: `python -m themodel run --target postgres` publishes only
what passed, by a schema swap in one transaction.

Real processes on a real server (`make test-postgres` starts one), no mocks: the
demo company (scale 1) in a database of the test's own, the_model_test_run. One
first run is published (module fixture); the next tests run on top of it, in file
order. Each run loads, builds and validates: three to four minutes (the planted
failure stops at its test: --fail-fast).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_postgres import fresh_database
from test_run_publish import (
    LOCK_MESSAGE,
    Run,
    copy_project,
    max_run,
    processes_naming,
    read_text,
    wait_for,
)

from themodel.generator.cli import generate
from themodel.load import connect_postgres

pytestmark = pytest.mark.skipif(
    os.environ.get("THE_MODEL_PG_TEST") != "1",
    reason="PostgreSQL publishing not run: set THE_MODEL_PG_TEST=1 with a server at "
    "THE_MODEL_PG_* (make test-postgres starts one and stops it)",
)

PROJECT = Path(__file__).resolve().parents[2]
DATABASE = "the_model_test_run"


def run_command(exports: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "themodel", "run", "--target", "postgres"]
    return command + ["--exports", str(exports), *extra]


def run(exports: Path, *extra: str) -> Run:
    done = subprocess.run(
        run_command(exports, *extra), cwd=PROJECT, capture_output=True, text=True, timeout=1500
    )
    return Run(done.returncode, done.stdout + done.stderr)


def query(sql: str) -> list[tuple]:
    con = connect_postgres()
    try:
        with con.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        con.close()


def mart_names() -> list[str]:
    rows = query(
        "select table_name from information_schema.tables where table_schema = 'marts'"
        " and table_name != 'publication_log' order by 1"
    )
    return [name for (name,) in rows]


def schema_names() -> list[str]:
    rows = query("select schema_name from information_schema.schemata order by 1")
    return [name for (name,) in rows if not name.startswith(("pg_", "information_schema"))]


def run_ids_sql(names: list[str]) -> str:
    """One statement: PostgreSQL resolves and locks every mart at once."""
    return " union ".join(f"select distinct run_id from marts.{name}" for name in names)


def fingerprints(schema: str = "marts") -> dict[str, str]:
    """An md5 of each table's rows (publication_log included) in a schema."""
    rows = query(
        "select table_name from information_schema.tables"
        f" where table_schema = '{schema}' order by 1"
    )
    return {
        name: query(
            f"select md5(coalesce(string_agg(t::text, '|' order by t::text), ''))"
            f" from {schema}.{name} as t"
        )[0][0]
        for (name,) in rows
    }


def publication_log() -> list[tuple]:
    return query(
        "select run_id, is_published, tests_failed, reason from marts.publication_log"
        " order by finished_at"
    )


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("run_postgres") / "acme"
    generate(1, 42, folder)
    with fresh_database(DATABASE):
        yield folder


@pytest.fixture(scope="module")
def first(exports: Path) -> Run:
    result = run(exports)
    assert result.code == 0, result.output[-5000:]
    return result


def test_a_run_publishes_every_mart_from_one_run_id_by_a_schema_swap(first):
    (run_id, is_published, tests_failed, _) = publication_log()[0]
    assert is_published and tests_failed == 0
    assert first.last_line.startswith("published PostgreSQL schemas staging, intermediate")
    assert run_id in first.last_line
    names = mart_names()
    assert len(names) == 16
    assert query(run_ids_sql(names)) == [(run_id,)]
    # no candidate, old or failed schema is left
    assert not [s for s in schema_names() if "__" in s], schema_names()
    # the published raw schema holds the export the marts were built from
    assert query("select count(*) from raw_generic.opportunities")[0][0] > 0


READER = """
import json, sys, time
from pathlib import Path
from themodel.load import connect_postgres

sql, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
con = connect_postgres()
con.autocommit = True
with open(out, "w") as log:
    while not Path(stop).exists():
        try:
            with con.cursor() as cursor:
                cursor.execute(sql)
                log.write(json.dumps({"run_ids": sorted(r for (r,) in cursor.fetchall())}) + "\\n")
        except Exception as error:
            log.write(json.dumps({"error": str(error)}) + "\\n")
            con.close()
            con = connect_postgres()
            con.autocommit = True
        log.flush()
        time.sleep(0.05)
"""


def test_a_planted_failing_test_leaves_the_published_marts_identical(exports, first, tmp_path):
    before = fingerprints()
    last_good = publication_log()[-1][0]
    project = copy_project(tmp_path / "project")
    (project / "tests" / "assert_planted_failure.sql").write_text(
        "-- planted by test_run_publish_postgres: a data test that always fails\n"
        "select 1 as planted\n"
    )
    # --fail-fast: the run stops at the planted test (the failure path is the same)
    result = run(exports, "--project-dir", str(project), "--fail-fast")
    assert result.code == 1, result.output[-5000:]
    # --fail-fast may also count the node dbt cancelled beside it (threads: 2)
    assert re.match(r"not published: dbt build: [12] dbt tests failed", result.last_line)
    assert f"last good publication unchanged (run {last_good})" in result.last_line
    assert "candidate kept as schemas " in result.last_line
    assert fingerprints() == before
    # the failed candidate, kept for inspection, says why
    assert "marts__failed" in schema_names()
    assert not [s for s in schema_names() if s.endswith("__candidate")]
    (is_published, tests_failed, reason) = query(
        "select is_published, tests_failed, reason from marts__failed.publication_log"
        " order by finished_at desc limit 1"
    )[0]
    assert is_published is False and tests_failed in (1, 2)
    assert f"{tests_failed} dbt tests failed" in reason


def test_a_run_killed_while_dbt_builds_and_tests_leaves_the_publication_and_the_next_recovers(
    exports, first, tmp_path
):
    """SIGKILL while dbt builds and tests the candidate: the published marts stay as they
    were. The next run drops the leftover candidate schemas and publishes while a reader
    queries every mart in one statement in a loop: each read holds one run id (the old,
    then the new) and no error comes twice in a row. A run started meanwhile from another
    copy of the project stops at the database's lock, exit 2."""
    before = fingerprints()
    old_run_id = publication_log()[-1][0]
    candidate_log = PROJECT / "warehouse" / f"postgres_{DATABASE}.candidate" / "run.log"
    killed = subprocess.Popen(
        run_command(exports), cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        wait_for(lambda: "PASS" in read_text(candidate_log), 900, "dbt's first passed test")
    finally:
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=60)
    wait_for(lambda: not processes_naming(str(candidate_log.parent)), 60, "its children to end")
    assert [s for s in schema_names() if s.endswith("__candidate")], "the kill came too late"
    assert fingerprints() == before

    reads, stop = tmp_path / "reads.jsonl", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, run_ids_sql(mart_names()), str(reads), str(stop)],
        cwd=PROJECT,
    )
    try:
        publishing = subprocess.Popen(
            run_command(exports),
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(20)  # past the doctor: the run holds its locks
        # another copy of the project (another lock file): the database's own lock stops it
        refused = run(exports, "--project-dir", str(copy_project(tmp_path / "project")))
        result = Run(publishing.wait(timeout=1500), publishing.stdout.read())
        time.sleep(1)  # a few reads of the new publication
    finally:
        stop.touch()
        reader.wait(timeout=60)
    assert result.code == 0, result.output[-5000:]
    assert "dropped the candidate schema of an interrupted run: marts__candidate" in result.output
    assert not [s for s in schema_names() if "__" in s], schema_names()
    assert refused.code == 2, refused.output[-3000:]
    assert refused.last_line.startswith(f"{LOCK_MESSAGE} PostgreSQL database {DATABASE}")
    assert refused.last_line.endswith("try again after it ends")
    entries = publication_log()
    new_run_id = entries[-1][0]
    assert new_run_id in result.last_line
    assert query(run_ids_sql(mart_names())) == [(new_run_id,)]
    counts = query("select mart_row_counts from marts.publication_log order by finished_at")
    assert json.loads(counts[-1][0]) == json.loads(counts[-2][0])

    seen = [json.loads(line) for line in reads.read_text().splitlines()]
    assert len(seen) > 20
    assert max_run(["error" in read for read in seen]) <= 1, [r for r in seen if "error" in r][:3]
    ids = [tuple(read["run_ids"]) for read in seen if "error" not in read]
    assert set(ids) == {(old_run_id,), (new_run_id,)}
    first_new = ids.index((new_run_id,))
    assert all(found == (new_run_id,) for found in ids[first_new:])
