"""Bad exports: each corruption of a copy of the demo exports either lands in
quarantine with the right rule while every good row is kept and the marts do
not move, or stops the build with a message naming the file, the problem and
the fix. Afterwards a build on the good exports gives the marts of before.

To keep the run short, the corruptions that quarantine rows are planted
together in one copy (each in rows of its own) and built once; the ones that
stop the build run one by one, each selecting only its file's models, in the
same warehouse; then one build on the good exports.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bad_input_messages
import bad_input_parsing
import bad_input_references
import duckdb
import pytest
from bad_input_kit import (
    NEW_DEAL,
    NEW_LEAD,
    Planted,
    Stopping,
    add_row,
    open_deal,
    read_rows,
    write_rows,
)
from test_build_generic import copy_warehouse, dbt

OWN_PLANTED = [
    Planted(
        "missing_key",
        "leads",
        lambda f: add_row(f, "leads", lead_id="   ", **NEW_LEAD),
        (("leads", "missing_key", "row *"),),
    ),
    Planted(
        "unparseable_timestamp",
        "leads",
        lambda f: add_row(f, "leads", lead_id="lead-bad-date", created_at="2025-13-45", **NEW_LEAD),
        (("leads", "unparseable_timestamp", "lead-bad-date"),),
    ),
    Planted(
        "unparseable_date",
        "contracts",
        lambda f: add_row(f, "contracts", contract_id="ctr-bad-date", start_date="next spring"),
        (("contracts", "unparseable_date", "ctr-bad-date"),),
    ),
    Planted(
        "unknown_status_label",
        "leads",
        lambda f: add_row(f, "leads", lead_id="lead-bad-status", **{**NEW_LEAD, "status": "Hot??"}),
        (("leads", "unknown_status_label", "lead-bad-status"),),
    ),
    Planted(
        "negative_amount",
        "opportunities",
        lambda f: add_row(
            f, "opportunities", opportunity_id="opp-negative", amount="-1,200,000", **NEW_DEAL
        ),
        (("opportunities", "negative_amount", "opp-negative"),),
    ),
    Planted(
        "unparseable_amount",
        "opportunities",
        lambda f: add_row(
            f, "opportunities", opportunity_id="opp-bad-amount", amount="about 5M", **NEW_DEAL
        ),
        (("opportunities", "unparseable_amount", "opp-bad-amount"),),
    ),
    Planted(
        "unknown_stage",
        "opportunities",
        lambda f: add_row(
            f,
            "opportunities",
            opportunity_id="opp-bad-stage",
            **{**NEW_DEAL, "stage": "Verbal Yes"},
        ),
        (("opportunities", "unknown_stage_label", "opp-bad-stage"),),
    ),
    Planted(
        "unknown_currency",
        "opportunities",
        lambda f: add_row(
            f, "opportunities", opportunity_id="opp-bad-currency", currency="XYZ", **NEW_DEAL
        ),
        (("opportunities", "unknown_currency", "opp-bad-currency"),),
    ),
    Planted(
        "orphan_foreign_keys",
        "activities",
        lambda f: (
            add_row(f, "activities", activity_id="act-orphan-x", opportunity_id="opp-nowhere"),
            add_row(f, "contracts", contract_id="ctr-orphan-x", account_id="acc-nowhere"),
        ),
        (
            ("activities", "orphan_reference", "act-orphan-x"),
            ("contracts", "orphan_reference", "ctr-orphan-x"),
        ),
    ),
    Planted(
        # one key, two different rows, nothing to tell which is right
        "duplicate_keys_with_conflicting_values",
        "activities",
        lambda f: (
            add_row(f, "activities", activity_id="act-twice", outcome="connected"),
            add_row(f, "activities", activity_id="act-twice", outcome="no_answer"),
            add_row(f, "opportunities", opportunity_id="opp-twice", amount="1000", **NEW_DEAL),
            add_row(f, "opportunities", opportunity_id="opp-twice", amount="9000", **NEW_DEAL),
        ),
        (
            ("activities", "conflicting_duplicate", "act-twice"),
            ("activities", "conflicting_duplicate", "act-twice"),
            ("opportunities", "conflicting_duplicate", "opp-twice"),
            ("opportunities", "conflicting_duplicate", "opp-twice"),
        ),
    ),
    Planted(
        "events_after_as_of_date",
        "leads",
        lambda f: (
            add_row(
                f, "leads", lead_id="lead-future", created_at="2026-02-01T10:00:00Z", **NEW_LEAD
            ),
            add_row(f, "activities", activity_id="act-future", occurred_at="2026-01-15 10:00:00"),
            add_row(f, "lead_status_events", changed_at="2026-01-20T09:00:00Z", to_status="MQL"),
            # a future win of a deal open today: kept (its old value is history)
            # but it must not close the deal in the marts
            add_row(
                f,
                "opportunity_changes",
                change_id="chg-future",
                opportunity_id=open_deal(f),
                changed_at="2026-01-10T09:00:00Z",
                field="stage",
                old_value="",
                new_value="Closed Won",
            ),
        ),
        (
            ("leads", "after_as_of_date", "lead-future"),
            ("activities", "after_as_of_date", "act-future"),
            ("lead_status_events", "after_as_of_date", "*"),
        ),
        staged={"opportunity_changes": (1, 0)},
    ),
    Planted(
        # an older version of a deal (earlier modified_at) is superseded, not staged
        "older_version_of_a_record",
        "opportunities",
        lambda f: add_row(
            f, "opportunities", amount="1", stage="Closed Lost", modified_at="2024-01-19T06:46:00Z"
        ),
        (),
        staged={"opportunities": (0, 1)},
    ),
    Planted(
        "semicolon_delimiter",
        "users",
        lambda f: write_rows(f, "users", *read_rows(f, "users"), delimiter=";"),
        (),
    ),
]


# --- corruptions that must stop the build ----------------------------------------


def truncate(folder: Path) -> None:
    text = (folder / "opportunities.csv").read_text(encoding="utf-8")
    (folder / "opportunities.csv").write_text(text[: len(text) // 2], encoding="utf-8")


def latin1(folder: Path) -> None:
    header, rows = read_rows(folder, "users")
    rows[0]["full_name"] = "José Müller"
    with open(folder / "users.csv", "w", encoding="latin-1", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def drop_column(folder: Path) -> None:
    header, rows = read_rows(folder, "leads")
    header.remove("status")
    write_rows(folder, "leads", header, [{k: r[k] for k in header} for r in rows])


OWN_STOPPING = [
    Stopping(
        "truncated_file", "opportunities", truncate, ("looks truncated", "export the file again")
    ),
    Stopping(
        "latin1_file",
        "users",
        latin1,
        ("is not UTF-8", "it looks like cp1252", "Set the var export_encoding to cp1252"),
    ),
    Stopping(
        "empty_file",
        "activities",
        lambda f: (f / "activities.csv").write_bytes(b""),
        ("is empty", "needs its header line"),
    ),
    Stopping(
        "missing_required_column",
        "leads",
        drop_column,
        ("has no column 'status', which is required", "Add the column"),
    ),
    Stopping(
        "missing_required_file",
        "users",
        lambda f: (f / "users.csv").unlink(),
        ("(or .parquet) is missing", "set crm_export_path"),
    ),
]


# every class of bad input, each in the module of its class
PLANTED = (
    OWN_PLANTED
    + bad_input_parsing.PLANTED
    + bad_input_references.PLANTED
    + bad_input_messages.PLANTED
)
STOPPING = (
    OWN_STOPPING
    + bad_input_parsing.STOPPING
    + bad_input_references.STOPPING
    + bad_input_messages.STOPPING
)


# --- the builds ---------------------------------------------------------------------


def marts(database: Path) -> dict[str, list[tuple]]:
    """Every mart's rows, sorted; doubles rounded (sums may differ in the last bit)."""

    def normal(value):
        return round(value, 9) if isinstance(value, float) else value

    with duckdb.connect(str(database), read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {
            name: sorted(
                (
                    tuple(normal(v) for v in row)
                    # run_id names the build, which differs between any two
                    for row in con.execute(
                        f"select * exclude (run_id) from marts.{name}"
                    ).fetchall()
                ),
                key=repr,
            )
            for name in names
        }


def quarantined_rows(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select entity, rule, record_key, source_file, raw_values"
            " from quarantine.quarantined_rows"
        ).fetchall()


def staged_rows(database: Path) -> dict[str, tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select entity, staged_rows, superseded_rows from quarantine.row_accounting"
        ).fetchall()
    return {entity: (staged, superseded) for entity, staged, superseded in rows}


@dataclass
class Runs:
    baseline_marts: dict
    baseline_staged: dict
    bad_marts: dict
    bad_staged: dict
    quarantined: list[tuple]
    baseline_quarantined: list[tuple]
    bad_build_output: str
    stopped: dict[str, tuple[int, str, Path]]
    good_after_marts: dict


def stopping_rounds(cases: Sequence[Stopping]) -> list[list[Stopping]]:
    """The unreadable-file cases in as few builds as can hold them: one file of each
    entity per build (a failing raw model stops only its own descendants). A broken
    accounts file builds alone: the warehouse identity check reads it before any model."""
    rounds: list[list[Stopping]] = []
    for case in cases:
        for held in rounds:
            entities = {c.entity for c in held}
            alone = "accounts" in entities | {case.entity}
            if held[0].variables == case.variables and case.entity not in entities and not alone:
                held.append(case)
                break
        else:
            rounds.append([case])
    return rounds


def failure_naming(output: str, entity: str) -> str:
    """The failures in dbt's closing summary (or the run-start hook's error) whose
    message names the entity's file."""
    summary = output.split("Completed with", 1)[-1].split("Encountered an error:", 1)[-1]
    blocks: list[list[str]] = []
    for line in summary.splitlines():
        if "Failure in " in line or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    files = (f"/{entity}.csv", f"/{entity}.parquet")
    named = [block for block in blocks if any(f in line for line in block for f in files)]
    return "\n".join(line for block in named for line in block)


@pytest.fixture(scope="module")
def runs(demo_build, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    work = tmp_path_factory.mktemp("bad_input")
    database = work / "warehouse.duckdb"
    # an existing warehouse (incremental models and snapshots kept) meets the bad exports
    exports = work / "exports"
    shutil.copytree(demo_build.exports, exports)
    copy_warehouse(demo_build.database, database, exports)
    for planted in PLANTED:
        planted.plant(exports)
    # the good build's as-of moment, set explicitly so that rows dated after it
    # can be planted (with the default, the as-of moment would move with them)
    with duckdb.connect(str(database), read_only=True) as con:
        (as_of,) = con.execute("select as_of_at from intermediate.int_as_of_date").fetchone()
    bad = dbt(["build"], database, exports, work, as_of_date=str(as_of))
    assert bad.returncode == 0, bad.stdout[-5000:]
    quarantined = quarantined_rows(database)
    bad_marts, bad_staged = marts(database), staged_rows(database)

    stopped = {}
    for cases in stopping_rounds(STOPPING):
        shutil.rmtree(exports)
        shutil.copytree(demo_build.exports, exports)
        for case in cases:
            case.corrupt(exports)
        selection = [case.select or f"raw_generic__{case.entity}+" for case in cases]
        variables = cases[0].variables
        result = dbt(["build", "--select", *selection], database, exports, work, **variables)
        for case in cases:
            output = failure_naming(result.stdout, case.entity)
            stopped[case.name] = (result.returncode, output, exports / f"{case.entity}.csv")

    shutil.rmtree(exports)
    shutil.copytree(demo_build.exports, exports)
    good = dbt(["build"], database, exports, work)
    assert good.returncode == 0, good.stdout[-5000:]
    return Runs(
        baseline_marts=marts(demo_build.database),
        baseline_staged=staged_rows(demo_build.database),
        bad_marts=bad_marts,
        bad_staged=bad_staged,
        quarantined=quarantined,
        baseline_quarantined=quarantined_rows(demo_build.database),
        bad_build_output=bad.stdout,
        stopped=stopped,
        good_after_marts=marts(database),
    )


def added_to_quarantine(runs: Runs) -> Counter:
    """(entity, rule, key) of the rows the bad exports added to quarantine; a row
    without key shows as "row *" (its position is the file's)."""

    def keyed(rows: list[tuple]) -> Counter:
        return Counter(
            (entity, rule, "row *" if key.startswith("row ") else key)
            for entity, rule, key, _, _ in rows
        )

    return keyed(runs.quarantined) - keyed(runs.baseline_quarantined)


def matches(expected: tuple[str, str, str], found: tuple[str, str, str]) -> bool:
    return expected[:2] == found[:2] and expected[2] in {found[2], "*"}


@pytest.mark.parametrize("planted", PLANTED, ids=lambda p: p.name)
def test_bad_rows_land_in_quarantine_with_their_rule(runs: Runs, planted: Planted):
    added = added_to_quarantine(runs)
    for expected in planted.expected:
        found = [row for row in added.elements() if matches(expected, row)]
        assert len(found) == planted.expected.count(expected), (expected, sorted(added))


def test_nothing_else_lands_in_quarantine(runs: Runs):
    expected = [row for planted in PLANTED for row in planted.expected]
    added = sorted(added_to_quarantine(runs).elements())
    assert len(added) == len(expected)
    assert all(any(matches(e, row) for e in expected) for row in added), added


def test_quarantined_rows_name_file_key_and_raw_text(runs: Runs):
    rows = {
        key: (entity, source_file, raw) for entity, _, key, source_file, raw in runs.quarantined
    }
    entity, source_file, raw = rows["opp-negative"]
    assert (entity, source_file) == ("opportunities", "opportunities.csv")
    assert "amount=-1,200,000" in raw


def test_no_good_row_is_lost(runs: Runs):
    """Every entity stages the rows of the good build, moved only as each case
    says (an older version planted is superseded; a semicolon-delimited file reads
    in full; a deal's change dated after the as-of moment is kept)."""
    expected = dict(runs.baseline_staged)
    for planted in PLANTED:
        for entity, (staged, superseded) in planted.staged.items():
            before_staged, before_superseded = expected[entity]
            expected[entity] = (before_staged + staged, before_superseded + superseded)
    assert runs.bad_staged == expected


def test_the_marts_do_not_move_with_bad_rows(runs: Runs):
    assert runs.bad_marts.keys() == runs.baseline_marts.keys()
    for name, rows in runs.baseline_marts.items():
        assert runs.bad_marts[name] == rows, name


def test_the_build_warns_with_the_quarantine_counts(runs: Runs, demo_build):
    """One warning row per entity and rule whose count is not the demo's planted one."""
    truth = json.loads((demo_build.exports / "truth.json").read_text(encoding="utf-8"))
    planted = {(p["entity"], p["rule"]): p["row_count"] for p in truth["planted_quarantine"]}
    counts = Counter((row[0], row[1]) for row in runs.quarantined)
    keys = counts.keys() | planted.keys()
    differing = {key for key in keys if counts[key] != planted.get(key, 0)}
    assert differing
    assert f"WARN {len(differing)} quarantine_is_empty_row_accounting_quarantined_rows" in (
        runs.bad_build_output
    )


@pytest.mark.parametrize("case", STOPPING, ids=lambda c: c.name)
def test_unreadable_exports_stop_the_build_naming_file_problem_and_fix(runs: Runs, case: Stopping):
    returncode, output, path = runs.stopped[case.name]
    assert returncode != 0
    message = " ".join(output.split())
    assert str(path) in message
    for words in case.says:
        assert words in message, message[-2000:]
    # never the CSV reader's own errors
    assert not any(words in output for words in ("CSV Error", "sniffing", "Invalid unicode"))


def test_a_good_build_afterwards_gives_the_marts_of_before(runs: Runs):
    assert runs.good_after_marts.keys() == runs.baseline_marts.keys()
    for name, rows in runs.baseline_marts.items():
        assert runs.good_after_marts[name] == rows, name
