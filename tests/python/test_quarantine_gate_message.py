"""The quarantine gate (models/staging/quarantine/quarantine_gate.sql) stops a build
on a broken export before any intermediate model, fact or mart is replaced, and
says why: per entity over quarantine_max_share, each rule with its count, its
share, three example keys and the fix, and how to raise the threshold (not dbt's
bare "Got N results"). An entity under quarantine_min_rows only warns
(test_build_salesforce builds the Salesforce sample org so).

The demo warehouse (conftest.py) is copied, then a copy of its exports with 340
broken leads (5.8% of them) is built into it with `dbt build`, then with
`dbt run --select +int_lead_journeys`: both fail and every intermediate, fact and
mart table keeps the content of the good build.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from bad_input_kit import NEW_LEAD, read_rows, write_rows
from test_build_generic import PROJECT, copy_warehouse, dbt

from themodel.load import LoadError, load

REAL_EXPORTS = PROJECT.parent / "shared" / "data" / "real_exports"
# the schemas of the models after the gate (semantic: the MetricFlow time spine)
GATED_SCHEMAS = ("intermediate", "facts", "marts", "semantic")
UNKNOWN_STATUS, UNDATED = 300, 40


def gated_tables(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table after the gate, sorted; NaN as text (NaN != NaN)."""

    def same(value):
        return "NaN" if isinstance(value, float) and math.isnan(value) else value

    schemas = ", ".join(f"'{schema}'" for schema in GATED_SCHEMAS)
    with duckdb.connect(str(database), read_only=True) as con:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            f" where table_schema in ({schemas}) order by 1"
        ).fetchall()
        return {
            name: sorted(
                (
                    tuple(same(v) for v in row)
                    for row in con.execute(f"select * from {name}").fetchall()
                ),
                key=repr,
            )
            for (name,) in names
        }


def message_of(output: str) -> str:
    return " ".join(output.split())


@dataclass(frozen=True)
class Stopped:
    before: dict[str, list[tuple]]
    database: Path
    leads: int  # raw rows of the broken leads file
    first_row: int  # file row of the first broken lead
    build: object  # the `dbt build` result
    run: object  # the `dbt run --select +int_lead_journeys` result
    after_build: dict[str, list[tuple]]
    after_run: dict[str, list[tuple]]


@pytest.fixture(scope="module")
def stopped(demo_build, tmp_path_factory: pytest.TempPathFactory) -> Stopped:
    work = tmp_path_factory.mktemp("gate")
    database = work / "warehouse.duckdb"
    exports = work / "exports"
    shutil.copytree(demo_build.exports, exports)
    copy_warehouse(demo_build.database, database, exports)
    header, rows = read_rows(exports, "leads")
    like = {**rows[0], **NEW_LEAD}
    broken = [
        {**like, "lead_id": f"lead-hot-{number:03d}", "status": "Hot??"}
        for number in range(UNKNOWN_STATUS)
    ] + [
        {**like, "lead_id": f"lead-undated-{number:03d}", "created_at": ""}
        for number in range(UNDATED)
    ]
    write_rows(exports, "leads", header, rows + broken)

    build = dbt(["build"], database, exports, work)
    after_build = gated_tables(database)
    run = dbt(["run", "--select", "+int_lead_journeys"], database, exports, work)
    return Stopped(
        before=gated_tables(demo_build.database),
        database=database,
        leads=len(rows) + len(broken),
        first_row=len(rows) + 1,
        build=build,
        run=run,
        after_build=after_build,
        after_run=gated_tables(database),
    )


def test_every_model_after_staging_waits_for_the_gate(demo_build, tmp_path):
    """No intermediate, fact, mart or semantic model escapes the gate (a new model
    that reads staging must call after_quarantine_gate())."""
    folders = [f"path:models/{folder}" for folder in ("intermediate", "facts", "marts", "semantic")]

    def models(*selection: str) -> list[str]:
        command = ["ls", "--quiet", "--resource-type", "model", "--output", "name", *selection]
        result = dbt(command, tmp_path / "ls.duckdb", demo_build.exports, tmp_path)
        assert result.returncode == 0, result.stdout[-3000:]
        return result.stdout.split()

    assert len(models("--select", *folders)) > 30
    assert models("--select", *folders, "--exclude", "quarantine_gate+") == []


def test_the_gate_stops_dbt_build_naming_entity_rule_count_share_keys_and_fix(stopped: Stopped):
    assert stopped.build.returncode != 0
    message = message_of(stopped.build.stdout)
    assert "Got 1 result" not in message
    assert "Compilation Error in model quarantine_gate" in message
    assert (
        "Too much of the export is quarantined: more than quarantine_max_share (5.00%) of the rows"
        " of leads broke a rule" in message
    )
    assert "The build stopped before any intermediate model, fact or mart was rebuilt" in message
    # the demo's own 3 leads without a key count in the share
    share = (UNKNOWN_STATUS + UNDATED + 3) / stopped.leads
    assert f"- leads: {share:.2%} of {stopped.leads} rows quarantined (threshold 5.00%):" in message
    hot = ", ".join(f"lead-hot-{n:03d} (row {stopped.first_row + n})" for n in range(3))
    assert (
        f"rule unknown_status_label: {UNKNOWN_STATUS} rows ({UNKNOWN_STATUS / stopped.leads:.2%}),"
        f" e.g. {hot}. Fix: map the label in seeds/stage_mapping.csv (a row with source_system"
        " generic, entity_type lead)." in message
    ), message[-3000:]
    undated = ", ".join(
        f"lead-undated-{n:03d} (row {stopped.first_row + UNKNOWN_STATUS + n})" for n in range(3)
    )
    assert (
        f"rule missing_timestamp: {UNDATED} rows ({UNDATED / stopped.leads:.2%}), e.g. {undated}."
        " Fix: add the column created_at of leads to the export, with a value in every row"
        " (see docs/generic_format.md)." in message
    ), message[-3000:]
    assert "quarantine.quarantined_rows (the rules: docs/bad_input.md)" in message
    assert "raise quarantine_max_share (--vars '{quarantine_max_share: 0.06}')" in message
    assert "salesforce_format.md" not in message
    # only the entity over the threshold is listed
    assert "- activities: " not in message


def test_a_stopped_build_replaces_no_intermediate_fact_or_mart_table(stopped: Stopped):
    # the build did read the broken exports (staging holds them) ...
    with duckdb.connect(str(stopped.database), read_only=True) as con:
        (broken,) = con.execute(
            "select count(*) from quarantine.quarantined_rows where record_key like 'lead-hot-%'"
        ).fetchone()
    assert broken == UNKNOWN_STATUS
    # ... and stopped at the gate: every table after it as the good build left it
    assert len(stopped.before) > 30
    assert stopped.after_build.keys() == stopped.before.keys()
    for name, rows in stopped.before.items():
        assert stopped.after_build[name] == rows, name
    assert "OK created sql table model intermediate." not in stopped.build.stdout


def test_the_gate_stops_dbt_run_with_a_selection_too(stopped: Stopped):
    assert stopped.run.returncode != 0
    message = message_of(stopped.run.stdout)
    assert "rule unknown_status_label: 300 rows" in message
    assert "SKIP relation intermediate.int_lead_journeys" in message
    for name, rows in stopped.before.items():
        assert stopped.after_run[name] == rows, name


def test_on_a_salesforce_export_the_message_points_to_its_format(tmp_path):
    """The real Salesforce sample org: its 22 leads lack CreatedDate, so the gate
    stops it, naming Salesforce's column and docs/salesforce_format.md."""
    folder = REAL_EXPORTS / "salesforce_sample_org"
    if not folder.is_dir():
        pytest.skip(f"real export samples not found: {folder} is missing")
    result = dbt(
        ["build", "--select", "+quarantine_gate"],
        tmp_path / "warehouse.duckdb",
        folder,
        tmp_path,
        crm_source="salesforce",
    )
    assert result.returncode != 0
    message = message_of(result.stdout)
    assert "- leads: 100.00% of 22 rows quarantined (threshold 5.00%):" in message
    assert (
        "rule missing_timestamp: 22 rows (100.00%), e.g. 00Qbm00000Orxk5EAB (row 1),"
        " 00Qbm00000Orxk6EAB (row 2), 00Qbm00000Orxk7EAB (row 3). Fix: add the column"
        " CreatedDate of Lead to the export, with a value in every row"
        " (see docs/salesforce_format.md)." in message
    ), message[-3000:]
    assert "generic_format.md" not in message
    assert "raise quarantine_max_share (--vars '{quarantine_max_share: 1.00}')" in message


def test_the_loader_names_file_line_key_rule_and_fix(demo_build, tmp_path):
    """The PostgreSQL/Spark loader checks each file before it connects: a row with
    a value holding the delimiter stops it with the file, line, key and fix."""
    exports = tmp_path / "exports"
    shutil.copytree(demo_build.exports, exports)
    path = exports / "accounts.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    key, name, rest = lines[5].split(",", 2)
    lines[5] = f"{key},{name}, Ltd.,{rest}"
    path.write_text("\n".join(lines), encoding="utf-8")

    with pytest.raises(LoadError) as stopped:
        load(exports, "generic", "postgres")

    message = str(stopped.value)
    assert f"{path}, line 6 (account_id '{key}')" in message
    assert "fields where the header has 8 (rule: field_count" in message
    assert "Fix: put such values in double quotes" in message
