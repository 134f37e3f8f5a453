"""One warehouse per company, with real builds on DuckDB files.

A copy of the demo warehouse meets another company (the real_crm profile, then the
Salesforce sample org): refused with a message naming the warehouse, both folders,
formats and fingerprints and the two fixes, the demo's marts unchanged. With
replace_warehouse the same warehouse holds only the new company: every table equals
a fresh build of it, snapshots included. A later daily build of that company in the
same folder is accepted and snapshots its changes; --full-refresh after the export
changed starts the snapshot again, with no row of the older export left.
"""

from __future__ import annotations

import io
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from bad_input_kit import read_rows, write_rows
from test_bad_input import marts
from test_build_generic import dbt

from themodel.generator.cli import generate
from themodel.progress import summarise

PROJECT = Path(__file__).resolve().parents[2]
SAMPLE_ORG = PROJECT.parent / "shared" / "data" / "real_exports" / "salesforce_sample_org"
CHANGED = 5  # opportunities whose record changes in the next day's export


def text(value) -> str:
    """A value as text; doubles rounded (sums may differ in the last bit)."""
    if value is None:
        return ""
    return str(round(value, 9)) if isinstance(value, float) else str(value)


def every_table(database: Path) -> dict[str, list[tuple]]:
    """Every table and view of the project's schemas, rows sorted as text; a
    mart's run_id (each build's own) left out."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema not in ('main', 'the_model_meta') order by 1, 2"
        ).fetchall()
        columns = {
            (schema, name): [
                column
                for (column,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ? and column_name != 'run_id'"
                    " order by ordinal_position",
                    [schema, name],
                ).fetchall()
            ]
            for schema, name in names
        }
        return {
            f"{schema}.{name}": sorted(
                tuple(text(v) for v in row)
                for row in con.execute(
                    "select "
                    + ", ".join(f'"{c}"' for c in columns[(schema, name)])
                    + f' from "{schema}"."{name}"'
                ).fetchall()
            )
            for schema, name in names
        }


@pytest.fixture(scope="module")
def two_companies(demo_build, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("one_warehouse")
    demo_copy = work / "demo_copy.duckdb"
    shutil.copy(demo_build.database, demo_copy)
    other = work / "other_company"
    generate(1, 42, other, profile="real_crm")
    refused = dbt(["build"], demo_copy, other, work)
    refused_salesforce = (
        dbt(["build"], demo_copy, SAMPLE_ORG, work, crm_source="salesforce")
        if SAMPLE_ORG.is_dir()
        else None
    )
    marts_after_refusal = marts(demo_copy)
    replaced = dbt(["build"], demo_copy, other, work, replace_warehouse="true")
    assert replaced.returncode == 0, replaced.stdout[-5000:]
    fresh = work / "fresh_other.duckdb"
    fresh_build = dbt(["build"], fresh, other, work)
    assert fresh_build.returncode == 0, fresh_build.stdout[-5000:]
    return {
        "demo": demo_build,
        "demo_copy": demo_copy,
        "other": other,
        "work": work,
        "refused": refused,
        "refused_salesforce": refused_salesforce,
        "marts_after_refusal": marts_after_refusal,
        "replaced": replaced,
        "replaced_tables": every_table(demo_copy),
        "fresh_tables": every_table(fresh),
    }


def test_another_company_is_refused_with_the_fixes(two_companies):
    refused = two_companies["refused"]
    assert refused.returncode != 0
    text = " ".join(refused.stdout.split())
    demo_folder = str(two_companies["demo"].exports.absolute())
    for expected in (
        f"Warehouse {two_companies['demo_copy']} holds another company's build",
        "(export folder, company fingerprint differ)",
        f"recorded: export folder {demo_folder}, crm_source generic",
        f"this build: export folder {two_companies['other'].absolute()}, crm_source generic",
        "company fingerprint accounts acc-0000001 (name ",
        "THE_MODEL_DUCKDB_PATH",
        "replace_warehouse: true",
        "this export has none of the recorded ones",
    ):
        assert expected in text, expected
    assert " OK created " not in refused.stdout  # nothing ran


def test_the_refused_warehouse_keeps_the_demo_marts(two_companies):
    assert two_companies["marts_after_refusal"] == marts(two_companies["demo"].database)


def test_the_salesforce_sample_is_refused_naming_its_format(two_companies):
    refused = two_companies["refused_salesforce"]
    if refused is None:
        pytest.skip(f"real export samples not found: {SAMPLE_ORG} is missing")
    assert refused.returncode != 0
    text = " ".join(refused.stdout.split())
    assert "(export folder, crm_source, company fingerprint differ)" in text
    # the path as written, made absolute (a symlinked ../shared is not resolved)
    assert f"this build: export folder {os.path.abspath(SAMPLE_ORG)}, crm_source salesforce" in text


def test_the_short_view_of_a_refused_build_shows_the_whole_message(two_companies):
    shown = io.StringIO()
    summarise(io.StringIO(two_companies["refused"].stdout), io.StringIO(), shown)
    text = " ".join(shown.getvalue().split())
    assert "holds another company's build" in text
    assert "replace_warehouse: true" in text


def test_replace_warehouse_leaves_nothing_of_the_first_company(two_companies):
    replaced, fresh = two_companies["replaced_tables"], two_companies["fresh_tables"]
    assert "snapshots.opportunities_snapshot" in replaced
    assert replaced.keys() == fresh.keys()
    for name, rows in fresh.items():
        assert replaced[name] == rows, name
    assert "replace_warehouse: dropped the schemas" in two_companies["replaced"].stdout


def snapshot_rows(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select opportunity_id, cast(dbt_valid_from as varchar)"
            " from snapshots.opportunities_snapshot order by 1, 2"
        ).fetchall()


def later(text: str) -> str:
    moment = datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ") + timedelta(seconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_next_day_is_accepted_and_full_refresh_restarts_the_snapshot(two_companies):
    """The replaced warehouse's company exports again into its folder: some deals
    changed. A build is accepted and snapshots the new versions beside the old; a
    --full-refresh keeps only the versions of the export it reads."""
    database, folder, work = (
        two_companies["demo_copy"],
        two_companies["other"],
        two_companies["work"],
    )
    first = snapshot_rows(database)
    header, rows = read_rows(folder, "opportunities")
    changed = sorted(rows, key=lambda row: row["opportunity_id"])[:CHANGED]
    for row in changed:
        row["modified_at"] = later(row["modified_at"])
    write_rows(folder, "opportunities", header, rows)
    select = ["--select", "+opportunities_snapshot"]

    next_day = dbt(["build", *select], database, folder, work)
    assert next_day.returncode == 0, next_day.stdout[-5000:]
    assert "as recorded" in next_day.stdout
    kept = snapshot_rows(database)
    assert len(kept) == len(first) + CHANGED
    assert set(first) <= set(kept)

    refreshed = dbt(["build", "--full-refresh", *select], database, folder, work)
    assert refreshed.returncode == 0, refreshed.stdout[-5000:]
    assert "--full-refresh: dropped the snapshot" in refreshed.stdout
    after = snapshot_rows(database)
    assert len(after) == len({opportunity for opportunity, _ in after}) == len(first)
    old = set(first) - {tuple(row) for row in after}
    assert len(old) == CHANGED  # the changed deals' older versions are gone
    assert {opportunity for opportunity, _ in old} == {row["opportunity_id"] for row in changed}
