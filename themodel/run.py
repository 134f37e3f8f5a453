"""`python -m themodel run`: build, check and publish a DuckDB warehouse, all or nothing.

The one command a scheduled job calls (write, audit, publish). The build writes into
a candidate, a copy of the published file in a folder beside it; the doctor checks,
every data test, unit test and Great Expectations suite run against that candidate;
only when all pass does an atomic rename make it the published file. BI tools open
the published file read-only: they see the last publication or the new one, never a
mix, and a failed run leaves the published file untouched, byte for byte.

  warehouse/x.duckdb                 the published warehouse
  warehouse/x.duckdb.lock            held (flock) while a run works on it
  warehouse/x.duckdb.candidate/      the run in progress: x.duckdb, run.log, target/, gx/
  warehouse/x.duckdb.failed/         the last failed run's candidate, for inspection

The candidate keeps the published file's name inside its own folder: DuckDB names
a database after its file, and the views dbt writes name it, so the renamed file
must keep the name it was built under.

Exit codes:
  0  published
  1  a check failed (doctor blocker, dbt model or test, expectation): nothing was
     published; the candidate is kept in <database>.failed/
  2  usage or environment error (missing folder, dbt missing, another run holds
     the lock); nothing was built
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from themodel.warehouse import PUBLICATION_LOG, mart_tables

PROJECT = Path(__file__).resolve().parents[1]
PUBLISHED, NOT_PUBLISHED, USAGE = 0, 1, 2
# the folder the demo generator writes for `make demo`, whose warehouse profiles.yml
# names warehouse/the_model.duckdb
DEMO_EXPORTS = "warehouse/demo_exports/generic"

PUBLICATION_LOG_DDL = f"""
create table if not exists marts.{PUBLICATION_LOG} (
    run_id varchar not null,
    as_of_at timestamp,
    export_folder varchar not null,
    export_fingerprint varchar not null,
    mart_row_counts varchar,
    tests_passed bigint not null,
    tests_failed bigint not null,
    is_published boolean not null,
    reason varchar not null,
    started_at timestamp not null,
    finished_at timestamp not null
)
"""


class Usage(Exception):
    """A usage or environment error: exit 2, nothing built."""


class Busy(Usage):
    """Another run holds the warehouse's lock."""


@dataclass
class Layout:
    """Where a warehouse's published file, lock, candidate and failed run live."""

    published: Path

    @property
    def lock(self) -> Path:
        return self.published.with_name(self.published.name + ".lock")

    @property
    def candidate_dir(self) -> Path:
        return self.published.with_name(self.published.name + ".candidate")

    @property
    def failed_dir(self) -> Path:
        return self.published.with_name(self.published.name + ".failed")

    @property
    def candidate(self) -> Path:
        return self.candidate_dir / self.published.name

    @property
    def log(self) -> Path:
        return self.candidate_dir / "run.log"


@dataclass
class Outcome:
    """What the run found: counts for the publication record and why it stopped."""

    run_id: str
    started_at: datetime.datetime
    tests_passed: int = 0
    tests_failed: int = 0
    failures: list[str] = field(default_factory=list)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m themodel run", description=__doc__)
    p.add_argument("--exports", required=True, help="folder holding the export files")
    p.add_argument("--crm-source", choices=["generic", "salesforce"], default="generic")
    p.add_argument(
        "--target",
        choices=["duckdb", "postgres", "spark"],
        default="duckdb",
        help="duckdb (default): a file published by rename; postgres: the database"
        " THE_MODEL_PG_* name, published by a schema swap (themodel/run_postgres.py);"
        " spark: the warehouse THE_MODEL_SPARK_WAREHOUSE names, published by switching"
        " its views to the new slot (themodel/run_spark.py)",
    )
    p.add_argument(
        "--skip-unit-tests",
        action="store_true",
        help="leave dbt's unit tests out (they check SQL logic, not data; on Spark each"
        " takes minutes, so run them on DuckDB or PostgreSQL instead)",
    )
    p.add_argument(
        "--fail-fast",
        action="store_true",
        help="stop at the first failing test or model (dbt --fail-fast): a failed run"
        " ends sooner, and its log names only that first failure",
    )
    p.add_argument(
        "--database",
        help="the published DuckDB file (default: as profiles.yml names it,"
        " warehouse/<export folder name>.duckdb)",
    )
    p.add_argument("--vars", default="", help="more dbt vars, YAML: '{as_of_date: 2025-09-30}'")
    p.add_argument(
        "--project-dir", default=str(PROJECT), help="the dbt project (default: this one)"
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    return p


def main(argv: list[str]) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as stop:  # --help (0) or a usage error (2)
        return PUBLISHED if not stop.code else USAGE
    try:
        exports, project, published, extra_vars = checked_arguments(args)
        dbt = dbt_executable()
    except Usage as error:
        print(f"run: {error}", file=sys.stderr)
        return USAGE
    Steps.skip_unit_tests = args.skip_unit_tests
    Steps.fail_fast = args.fail_fast
    if args.target == "postgres":
        from themodel import run_postgres

        database = os.environ.get("THE_MODEL_PG_DATABASE", "the_model")
        layout = run_postgres.layout_for(project, database)
        layout.published.parent.mkdir(parents=True, exist_ok=True)
    elif args.target == "spark":
        from themodel import run_spark

        layout = run_spark.layout_for()
    else:
        layout = Layout(published)
    try:
        lock = take_lock(layout)
    except Busy as error:
        print(error, file=sys.stderr)
        return USAGE
    try:
        if args.target == "postgres":
            return run_postgres.run(
                layout, exports, project, args.crm_source, extra_vars, dbt, lock, database
            )
        if args.target == "spark":
            return run_spark.run(
                layout,
                exports,
                project,
                args.crm_source,
                extra_vars,
                dbt,
                lock,
            )
        return run(layout, exports, project, args.crm_source, extra_vars, dbt, lock)
    except Busy as error:
        print(error, file=sys.stderr)
        return USAGE
    except Usage as error:
        print(f"run: {error}", file=sys.stderr)
        return USAGE
    finally:
        os.close(lock)


def checked_arguments(args: argparse.Namespace) -> tuple[Path, Path, Path, dict]:
    exports = Path(args.exports).resolve()
    if not exports.is_dir():
        raise Usage(f"--exports {args.exports} is not a folder")
    project = Path(args.project_dir).resolve()
    if not (project / "dbt_project.yml").is_file():
        raise Usage(f"--project-dir {args.project_dir} holds no dbt_project.yml")
    try:
        extra_vars = yaml.safe_load(args.vars) if args.vars else {}
    except yaml.YAMLError as error:
        raise Usage(f"--vars is not YAML: {error}") from error
    if not isinstance(extra_vars, dict):
        raise Usage("--vars must be a YAML mapping, e.g. '{as_of_date: 2025-09-30}'")
    published = Path(args.database).resolve() if args.database else default_database(exports)
    if not args.database:
        # the project's own git-ignored folder, missing on a fresh clone
        published.parent.mkdir(parents=True, exist_ok=True)
    if not published.parent.is_dir():
        raise Usage(f"--database {published}: folder {published.parent} does not exist")
    return exports, project, published, extra_vars


def default_database(exports: Path) -> Path:
    """The warehouse profiles.yml names for an export folder (as doctor does)."""
    if exports.as_posix().endswith(DEMO_EXPORTS):
        return PROJECT / "warehouse" / "the_model.duckdb"
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", exports.name).strip("_") or "exports"
    return PROJECT / "warehouse" / f"{name}.duckdb"


def dbt_executable() -> str:
    dbt = Path(sys.executable).with_name("dbt")
    if dbt.is_file():
        return str(dbt)
    found = shutil.which("dbt")
    if not found:
        raise Usage("dbt is not installed beside this Python (run `make venv`)")
    return found


def take_lock(layout: Layout) -> int:
    """An exclusive flock on <database>.lock. The kernel drops it when the process
    (and the children it passed it to) end, however they end: no stale lock."""
    fd = os.open(layout.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "pid unknown"
        os.close(fd)
        raise Busy(
            f"another run is publishing {layout.published} ({holder}); try again after it ends"
        ) from None
    os.ftruncate(fd, 0)
    started = now().strftime("%Y-%m-%d %H:%M:%S UTC")
    os.pwrite(fd, f"pid {os.getpid()}, started {started}\n".encode(), 0)
    return fd


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def recover(layout: Layout) -> None:
    """A run killed before it published left its candidate: the published file is
    still the last good one, so the candidate only goes."""
    if layout.candidate_dir.exists():
        print(f"removing the candidate of an interrupted run: {layout.candidate_dir}", flush=True)
        shutil.rmtree(layout.candidate_dir)


def run(
    layout: Layout,
    exports: Path,
    project: Path,
    crm_source: str,
    extra_vars: dict,
    dbt: str,
    lock: int,
) -> int:
    recover(layout)
    outcome = Outcome(run_id=uuid.uuid4().hex, started_at=now())
    layout.candidate_dir.mkdir()
    steps = Steps(layout, project, lock)
    if not steps.doctor(exports, extra_vars):
        outcome.failures.append("doctor found blockers in the export folder")
    else:
        copy_published(layout)
        build_vars = {
            **extra_vars,
            "crm_export_path": str(exports),
            "crm_source": crm_source,
            "run_id": outcome.run_id,
        }
        steps.build(dbt, build_vars, outcome)
        # after a build --fail-fast stopped, the suites would only list the marts it left out
        if layout.candidate.exists() and not (steps.fail_fast and outcome.failures):
            steps.validate(outcome)
    fingerprint = export_fingerprint(exports)
    if outcome.failures:
        return keep_failed(layout, exports, fingerprint, outcome)
    return publish(layout, exports, fingerprint, outcome)


def copy_published(layout: Layout) -> None:
    """The candidate starts as the published file: incremental models and the
    snapshot carry on from it. Only read here, never written."""
    if layout.published.exists():
        shutil.copyfile(layout.published, layout.candidate)
        wal = wal_of(layout.published)
        if wal.exists():
            shutil.copyfile(wal, wal_of(layout.candidate))


def wal_of(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def die_with_parent(parent: int) -> None:
    """Runs in each child before it starts: a child outlives a killed run otherwise
    and would go on writing a candidate the next run removes (Linux only)."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        # the run died before the line above: no signal will come
        if os.getppid() != parent:
            os._exit(1)


class Steps:
    """The checks and the build, each a child process writing to run.log."""

    # --skip-unit-tests (main sets it for the run)
    skip_unit_tests = False
    # --fail-fast (main sets it for the run)
    fail_fast = False

    def __init__(self, layout: Layout, project: Path, lock: int) -> None:
        self.layout = layout
        self.project = project
        self.lock = lock

    def call(self, name: str, command: list[str], **env: str) -> tuple[int, str]:
        print(f"{name} ...", flush=True)
        with self.layout.log.open("a") as log:
            log.write(f"\n== {name}: {' '.join(command)}\n")
            log.flush()
            start = log.tell()
            process = subprocess.run(
                command,
                cwd=self.project,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=functools.partial(die_with_parent, os.getpid()),
                # the lock stays held while a child still runs
                pass_fds=(self.lock,),
            )
        with self.layout.log.open() as log:
            log.seek(start)
            return process.returncode, log.read()

    def doctor(self, exports: Path, extra_vars: dict) -> bool:
        command = [sys.executable, "-m", "themodel", "doctor", "--exports", str(exports)]
        command += ["--seeds", str(self.project / "seeds")]
        if extra_vars.get("date_order"):
            command += ["--date-order", str(extra_vars["date_order"])]
        if extra_vars.get("quarantine_max_share") is not None:
            command += ["--quarantine-max-share", str(extra_vars["quarantine_max_share"])]
        code, _ = self.call("doctor", command)
        return code == 0

    def build(self, dbt: str, build_vars: dict, outcome: Outcome, **env: str) -> None:
        target = self.layout.candidate_dir / "target"
        command = [dbt, "build", "--vars", json.dumps(build_vars), "--target-path", str(target)]
        if self.skip_unit_tests:
            command += ["--exclude-resource-type", "unit_test"]
        if self.fail_fast:
            command += ["--fail-fast"]
        command += ["--log-path", str(self.layout.candidate_dir / "logs")]
        code, _ = self.call(
            "dbt build",
            command,
            THE_MODEL_DUCKDB_PATH=str(self.layout.candidate),
            DBT_PROFILES_DIR=str(self.project),
            DBT_SEND_ANONYMOUS_USAGE_STATS="False",
            DO_NOT_TRACK="1",
            **env,
        )
        passed, failed, broken = dbt_results(target / "run_results.json")
        outcome.tests_passed += passed
        outcome.tests_failed += failed
        if code != 0 or failed or broken:
            what = [f"{failed} dbt tests failed"] if failed else []
            what += [f"{len(broken)} models, seeds or snapshots did not build"] if broken else []
            names = ", ".join(broken[:3]) if broken else ""
            detail = "; ".join(what) or f"dbt exited {code}"
            outcome.failures.append(f"dbt build: {detail}{' (' + names + ')' if names else ''}")

    def validate(self, outcome: Outcome) -> None:
        command = [sys.executable, "-m", "themodel", "validate"]
        command += ["--database", str(self.layout.candidate)]
        command += ["--docs-dir", str(self.layout.candidate_dir / "gx")]
        code, output = self.call("validate", command)
        found = re.findall(r"^(\d+) passed, (\d+) failed$", output, re.MULTILINE)
        passed, failed = (int(found[-1][0]), int(found[-1][1])) if found else (0, 0)
        outcome.tests_passed += passed
        outcome.tests_failed += failed
        if code != 0:
            outcome.failures.append(
                f"validation: {failed} expectations failed" if failed else f"validate exited {code}"
            )


def dbt_results(run_results: Path) -> tuple[int, int, list[str]]:
    """Tests passed and failed, and the nodes that did not build, from dbt's
    run_results.json (missing when dbt stopped before running a node)."""
    if not run_results.is_file():
        return 0, 0, []
    results = json.loads(run_results.read_text())["results"]
    tests = [r for r in results if r["unique_id"].split(".")[0] in {"test", "unit_test"}]
    passed = sum(r["status"] in {"pass", "warn"} for r in tests)
    failed = sum(r["status"] in {"fail", "error"} for r in tests)
    broken = [
        r["unique_id"].split(".")[-1]
        for r in results
        if r["unique_id"].split(".")[0] in {"model", "seed", "snapshot"} and r["status"] == "error"
    ]
    return passed, failed, broken


def export_fingerprint(exports: Path) -> str:
    """sha256 over every file of the export folder: its path and its bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in exports.rglob("*") if p.is_file()):
        digest.update(path.relative_to(exports).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def record(
    database: Path, exports: Path, fingerprint: str, outcome: Outcome, is_published: bool
) -> dict[str, int]:
    """Append this run to marts.publication_log in a database; its marts' row counts."""
    reason = (
        "every data test, unit test and expectation passed"
        if is_published
        else "; ".join(outcome.failures)
    )
    with duckdb.connect(str(database)) as con:
        counts = {
            name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            for name in (mart_tables(con) if has_schema(con, "marts") else [])
        }
        as_of = None
        if has_table(con, "intermediate", "int_as_of_date"):
            sql = "select max(as_of_at) from intermediate.int_as_of_date"
            (as_of,) = con.execute(sql).fetchone()
        con.execute("create schema if not exists marts")
        con.execute(PUBLICATION_LOG_DDL)
        con.execute(
            f"insert into marts.{PUBLICATION_LOG} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        # everything into the file itself: the rename moves the file, not its WAL
        con.execute("checkpoint")
    return counts


def has_schema(con: duckdb.DuckDBPyConnection, schema: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.schemata where schema_name = ?", [schema]
    ).fetchone()
    return found[0] > 0


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return found[0] > 0


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(layout: Layout, exports: Path, fingerprint: str, outcome: Outcome) -> int:
    counts = record(layout.candidate, exports, fingerprint, outcome, is_published=True)
    if wal_of(layout.candidate).exists():
        outcome.failures.append(f"{wal_of(layout.candidate)} is left after a checkpoint")
        return keep_failed(layout, exports, fingerprint, outcome, recorded=True)
    fsync(layout.candidate)
    # the one step readers see: the old file or the new one, never a mix
    os.replace(layout.candidate, layout.published)
    fsync(layout.published.parent)
    # a WAL the old file left would be replayed onto the new one; the candidate
    # already holds what it had
    wal_of(layout.published).unlink(missing_ok=True)
    shutil.rmtree(layout.candidate_dir, ignore_errors=True)
    print(
        f"published {layout.published}: run {outcome.run_id}, {len(counts)} marts,"
        f" {outcome.tests_passed} checks passed"
    )
    return PUBLISHED


def last_publication(published: Path) -> str:
    """The run id of the publication readers still see, for the failure line."""
    if not published.exists():
        return "none yet"
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            if not has_table(con, "marts", PUBLICATION_LOG):
                return "built before publication_log"
            row = con.execute(
                f"select run_id from marts.{PUBLICATION_LOG} where is_published"
                " order by finished_at desc limit 1"
            ).fetchone()
    except duckdb.Error as error:
        return f"unreadable: {error}"
    return f"run {row[0]}" if row else "none recorded"


def keep_failed(
    layout: Layout,
    exports: Path,
    fingerprint: str,
    outcome: Outcome,
    recorded: bool = False,
) -> int:
    """Nothing is published: the candidate (with the log row saying why) moves to
    <database>.failed/ for inspection, replacing an older failed run."""
    if layout.candidate.exists() and not recorded:
        try:
            record(layout.candidate, exports, fingerprint, outcome, is_published=False)
        except duckdb.Error as error:
            print(f"could not record the failure in the candidate: {error}")
    built = layout.candidate.exists()
    shutil.rmtree(layout.failed_dir, ignore_errors=True)
    os.replace(layout.candidate_dir, layout.failed_dir)
    print(f"log of the failed run: {layout.failed_dir / 'run.log'}")
    kept = (
        f"candidate kept at {layout.failed_dir / layout.published.name}"
        if built
        else f"nothing built; log kept at {layout.failed_dir / 'run.log'}"
    )
    print(
        f"not published: {'; '.join(outcome.failures)}; last good publication unchanged"
        f" ({last_publication(layout.published)}); {kept}"
    )
    return NOT_PUBLISHED
