"""Issue 20: `python -m themodel run` publishes only what passed (DuckDB).

Real processes and real DuckDB files, no mocks: each run is `python -m themodel
run` in a child process on the demo company (scale 1) with one planted lead whose
created_at does not parse and whose email is known. One first run is published
(module fixture); the other tests work on copies of its published file. Each run
is a dbt build and a validation, two to three minutes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from themodel.generator.cli import generate

PROJECT = Path(__file__).resolve().parents[2]
PLANTED_EMAIL = "planted.person@pii-check.example"
PLANTED_NAME = "Planted Person"
PLANTED_PHONE = "+1-555-0100"
LOCK_MESSAGE = "another run is publishing"


@dataclass(frozen=True)
class Run:
    code: int
    output: str

    @property
    def last_line(self) -> str:
        return self.output.strip().splitlines()[-1]


def run_command(exports: Path, database: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "themodel", "run", "--exports", str(exports)]
    return command + ["--database", str(database), *extra]


def run(exports: Path, database: Path, *extra: str) -> Run:
    done = subprocess.run(
        run_command(exports, database, *extra),
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return Run(done.returncode, done.stdout + done.stderr)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_schema = 'marts' and table_name != 'publication_log' order by 1"
    ).fetchall()
    return [name for (name,) in rows]


def run_ids(database: Path) -> dict[str, list[str]]:
    """Each mart's distinct run ids."""
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            name: sorted(
                run_id
                for (run_id,) in con.execute(f"select distinct run_id from marts.{name}").fetchall()
            )
            for name in mart_names(con)
        }


def marts_without_run_id(database: Path) -> dict[str, list[tuple]]:
    """Every mart's rows but run_id, sorted; doubles rounded (sums may differ in
    the last bit between a full and an incremental build)."""

    def normal(value):
        return round(value, 9) if isinstance(value, float) else value

    with duckdb.connect(str(database), read_only=True) as con:
        return {
            name: sorted(
                (
                    tuple(normal(v) for v in row)
                    for row in con.execute(
                        f"select * exclude (run_id) from marts.{name}"
                    ).fetchall()
                ),
                key=repr,
            )
            for name in mart_names(con)
        }


def publication_log(database: Path) -> list[dict]:
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute("select * from marts.publication_log order by finished_at")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def copy_published(source: Path, folder: Path) -> Path:
    folder.mkdir()
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("run_publish") / "acme"
    generate(1, 42, folder)
    with (folder / "leads.csv").open("a", encoding="utf-8") as leads:
        leads.write(
            f"lead-9999999,not a date,acc-0000172,web,cmp-01-web,,New,,,,,,,,50,"
            f"{PLANTED_NAME},{PLANTED_EMAIL},{PLANTED_PHONE},2024-01-05T10:55:00Z\n"
        )
    return folder


@pytest.fixture(scope="module")
def first(exports: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    """The first publication: a run into a warehouse that does not exist yet."""
    database = tmp_path_factory.mktemp("first") / "acme.duckdb"
    result = run(exports, database)
    assert result.code == 0, result.output[-5000:]
    return result, database


def test_a_run_publishes_every_mart_from_one_run_id(first, exports):
    result, database = first
    assert result.last_line.startswith(f"published {database}: run ")
    log = publication_log(database)
    assert len(log) == 1
    (entry,) = log
    assert entry["is_published"] is True
    assert entry["tests_failed"] == 0 and entry["tests_passed"] > 100
    assert entry["export_folder"] == str(exports)
    assert len(entry["export_fingerprint"]) == 64
    assert entry["as_of_at"] is not None
    assert entry["run_id"] in result.last_line
    ids = run_ids(database)
    assert len(ids) == 16
    assert all(found == [entry["run_id"]] for found in ids.values()), ids
    counts = json.loads(entry["mart_row_counts"])
    assert sorted(counts) == sorted(ids)
    assert all(count > 0 for count in counts.values())
    # nothing of the run is left beside the published file but its lock
    assert sorted(p.name for p in database.parent.iterdir()) == [
        "acme.duckdb",
        "acme.duckdb.lock",
    ]


def test_no_schema_past_staging_holds_a_quarantined_leads_contact_details(first):
    """Item 5: the planted lead is quarantined (its created_at does not parse); its
    contact name, email and phone appear nowhere outside staging, the one schema
    that reads the export files, yet its row stays traceable by file and position."""
    _, database = first
    planted = [PLANTED_EMAIL, PLANTED_NAME, PLANTED_PHONE]
    with duckdb.connect(str(database), read_only=True) as con:
        (rule, source_file, source_row, raw_values) = con.execute(
            "select rule, source_file, source_row, raw_values from quarantine.quarantined_rows"
            " where record_key = 'lead-9999999'"
        ).fetchone()
        assert (rule, source_file) == ("unparseable_timestamp", "leads.csv")
        assert source_row > 0
        (email_hash,) = con.execute(
            f"select {hash_sql(PLANTED_EMAIL)}"  # as staging hashes it: joinable
        ).fetchone()
        assert f"email={email_hash};" in raw_values
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where table_schema not in ('staging', 'information_schema', 'pg_catalog')"
            " and data_type = 'VARCHAR'"
        ).fetchall()
        schemas = {schema for schema, _, _ in columns}
        assert {"quarantine", "marts", "intermediate", "facts"} <= schemas
        leaked = [
            (schema, table, column, value)
            for schema, table, column in columns
            for value in planted
            if con.execute(
                f'select count(*) from "{schema}"."{table}" where contains("{column}", ?)',
                [value],
            ).fetchone()[0]
        ]
    assert leaked == []


def hash_sql(value: str) -> str:
    """macros/staging/parsing.sql hash_personal on DuckDB: md5 of the trimmed lower text."""
    return f"md5(lower(trim('{value}')))"


def copy_project(target: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "warehouse", "target", "logs", "dbt_packages", "__pycache__", ".*cache"
    )
    shutil.copytree(PROJECT, target, ignore=ignore)
    return target


def test_a_planted_failing_test_leaves_the_published_file_byte_for_byte(first, exports, tmp_path):
    _, source = first
    database = copy_published(source, tmp_path / "warehouse")
    before = sha256(database)
    project = copy_project(tmp_path / "project")
    (project / "tests" / "assert_planted_failure.sql").write_text(
        "-- planted by test_run_publish: a data test that always fails\nselect 1 as planted\n"
    )
    # --fail-fast: the run stops at the planted test (the failure path is the same)
    result = run(exports, database, "--project-dir", str(project), "--fail-fast")
    assert result.code == 1, result.output[-5000:]
    failed = tmp_path / "warehouse" / "acme.duckdb.failed" / "acme.duckdb"
    first_run_id = publication_log(source)[0]["run_id"]
    # --fail-fast may also count the node dbt cancelled beside it (threads: 2)
    assert re.match(r"not published: dbt build: [12] dbt tests failed", result.last_line)
    assert f"last good publication unchanged (run {first_run_id})" in result.last_line
    assert result.last_line.endswith(f"candidate kept at {failed}")
    assert sha256(database) == before
    assert not (tmp_path / "warehouse" / "acme.duckdb.candidate").exists()
    # the failed candidate says why, in its own copy of the log
    entry = publication_log(failed)[-1]
    assert entry["is_published"] is False
    assert entry["tests_failed"] in (1, 2)
    assert f"{entry['tests_failed']} dbt tests failed" in entry["reason"]
    assert (failed.parent / "run.log").read_text().count("assert_planted_failure") >= 1


READER = """
import json, sys, time
import duckdb

database, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
from pathlib import Path
with open(out, "w") as log:
    while not Path(stop).exists():
        try:
            with duckdb.connect(database, read_only=True) as con:
                names = [n for (n,) in con.execute(
                    "select table_name from information_schema.tables"
                    " where table_schema = 'marts' and table_name != 'publication_log'"
                ).fetchall()]
                ids = set()
                for name in names:
                    ids |= {r for (r,) in con.execute(
                        f"select distinct run_id from marts.{name}").fetchall()}
            log.write(json.dumps({"marts": len(names), "run_ids": sorted(ids)}) + "\\n")
        except Exception as error:
            log.write(json.dumps({"error": str(error)}) + "\\n")
        log.flush()
        time.sleep(0.05)
"""


def two_runs_together_with_a_reader(exports: Path, database: Path, work: Path) -> Run:
    """Two runs on one warehouse at once while a reader process queries every mart in
    a loop: one run publishes, the other stops at the lock; each read holds one run id
    (the old publication, then the new) and no error comes twice in a row. The run
    that published."""
    old_run_id = publication_log(database)[-1]["run_id"]
    reads, stop = work / "reads.jsonl", work / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(database), str(reads), str(stop)], cwd=work
    )
    try:
        runs = [
            subprocess.Popen(
                run_command(exports, database),
                cwd=PROJECT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        results = [Run(p.wait(timeout=1200), p.stdout.read()) for p in runs]
        time.sleep(1)  # a few reads of the new publication
    finally:
        stop.touch()
        reader.wait(timeout=60)
    codes = sorted(r.code for r in results)
    assert codes == [0, 2], [r.output[-3000:] for r in results]
    published, refused = sorted(results, key=lambda r: r.code)
    assert refused.last_line.startswith(f"{LOCK_MESSAGE} {database} (pid ")
    assert refused.last_line.endswith("try again after it ends")
    new_run_id = publication_log(database)[-1]["run_id"]
    assert new_run_id in published.last_line

    seen = [json.loads(line) for line in reads.read_text().splitlines()]
    assert len(seen) > 20
    errors_in_a_row = max_run(["error" in read for read in seen])
    assert errors_in_a_row <= 1, [read for read in seen if "error" in read][:3]
    ids = [tuple(read["run_ids"]) for read in seen if "error" not in read]
    assert set(ids) == {(old_run_id,), (new_run_id,)}
    # the old publication until the rename, the new one after: never back
    first_new = ids.index((new_run_id,))
    assert all(found == (new_run_id,) for found in ids[first_new:])
    assert all(read.get("marts", 16) == 16 for read in seen)
    return published


def max_run(flags: list[bool]) -> int:
    longest = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def processes_naming(text: str) -> list[int]:
    """Processes whose command line names a path (the killed run's children)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def read_text(path: Path) -> str:
    """A file's text, empty while it does not exist (a run removes and makes it)."""
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def kill_run_when(exports: Path, database: Path, text: str, what: str, work: Path) -> str:
    """Start a run and SIGKILL it once its run.log holds a text; wait until no
    child of it (dbt, validation) is left. What the run printed."""
    candidate = database.with_name(database.name + ".candidate")
    output = work / f"killed_{len(list(work.glob('killed_*')))}.txt"
    with output.open("w") as out:
        killed = subprocess.Popen(
            run_command(exports, database), cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            wait_for(lambda: text in read_text(candidate / "run.log"), timeout=900, what=what)
        finally:
            os.kill(killed.pid, signal.SIGKILL)
            killed.wait(timeout=60)
    wait_for(lambda: not processes_naming(str(candidate)), timeout=30, what="its children to end")
    return output.read_text()


def test_a_run_killed_at_any_point_leaves_a_whole_publication_and_the_next_recovers(
    first, exports, tmp_path
):
    """SIGKILL while dbt builds and tests: the published file is untouched, dbt dies
    with the run, the lock is free. SIGKILL as validation ends and publishing starts:
    the old publication or the new one, whole. Then two runs at once with a reader
    (two_runs_together_with_a_reader): the one that publishes removes the candidate
    and publishes the same marts an undisturbed run gives."""
    _, source = first
    database = copy_published(source, tmp_path / "warehouse")
    before = sha256(database)
    candidate = tmp_path / "warehouse" / "acme.duckdb.candidate"

    # models built and tests under way
    kill_run_when(exports, database, "PASS", "dbt's first passed test", tmp_path)
    assert sha256(database) == before
    assert (candidate / "acme.duckdb").exists()

    # the last expectation checked: the run records and renames next
    output = kill_run_when(
        exports, database, " passed, 0 failed", "validation's last line", tmp_path
    )
    assert f"removing the candidate of an interrupted run: {candidate}" in output
    log = publication_log(database)
    if sha256(database) != before:  # killed after the rename: the new publication, whole
        assert len(log) == 2 and log[-1]["is_published"]
        assert all(ids == [log[-1]["run_id"]] for ids in run_ids(database).values())
    runs_before = len(log)

    two_runs_together_with_a_reader(exports, database, tmp_path)
    assert not candidate.exists()
    log = publication_log(database)
    assert len(log) == runs_before + 1
    assert all(ids == [log[-1]["run_id"]] for ids in run_ids(database).values())
    assert marts_without_run_id(database) == marts_without_run_id(source)


def test_postgres_runs_carry_on_every_incremental_model_and_snapshot():
    """A PostgreSQL run copies these tables into its candidate schemas before it
    builds; one left out would start again from nothing in each run."""
    from themodel.run_postgres import CARRIED_ON

    # a model's schema is its top folder under models/ (dbt_project.yml)
    stateful = {
        (path.relative_to(PROJECT / "models").parts[0], path.stem)
        for path in (PROJECT / "models").rglob("*.sql")
        if "'incremental'" in path.read_text() or '"incremental"' in path.read_text()
    }
    for path in (PROJECT / "snapshots").glob("*.yml"):
        for snapshot in yaml.safe_load(path.read_text())["snapshots"]:
            stateful.add((snapshot["config"]["schema"], snapshot["name"]))
    carried = {(schema, name) for schema, names in CARRIED_ON.items() for name in names}
    assert stateful == carried
