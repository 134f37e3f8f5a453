"""Activity types as a mapping seed (issue 17, item 3).

A user's Salesforce export had 506 tasks with no Type (staged with a null
activity_type) and a task typed "Other" (quarantined). Each format's demo export
is built again with some activities' types blanked, set to "Other", given
through another field or label, or set to a label no seed row knows:

- blank ones get var('default_activity_type') (other) and is_type_defaulted, and
  inside_sales_kpis_monthly counts them (type_defaulted_activities_count);
- "Other" maps to other, which the activity KPIs do not count;
- an unknown label is quarantined as unknown_activity_type with the label;
- the activity KPIs equal the counts of the types they name, recomputed here
  from the export files as edited.

The real connector sample (tasks with TaskSubtype "Task", a hashed Type or none)
is built too.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_build_generic import PROJECT, dbt

from themodel import summary
from themodel.generator.cli import generate
from themodel.validation import runner

REAL_EXPORTS = PROJECT.parent / "shared" / "data" / "real_exports"
KPI_TYPES = {"call", "email", "meeting"}
UNKNOWN_LABEL = "Send Fax"


def read_text_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def build(work: Path, exports: Path, **variables: str) -> Path:
    database = work / "warehouse.duckdb"
    result = dbt(["build"], database, exports, work, **variables)
    assert result.returncode == 0, result.stdout[-5000:]
    return database


def pick(ids: list[str], offset: int, step: int = 7) -> set[str]:
    return set(sorted(ids)[offset::step])


@pytest.fixture(scope="module")
def salesforce_edited(tmp_path_factory: pytest.TempPathFactory):
    """The Salesforce demo export with a Type column and edited task types."""
    work = tmp_path_factory.mktemp("salesforce_types")
    exports = work / "exports"
    generate(1, 42, exports, export_format="salesforce")
    tasks = read_text_csv(exports / "Task.csv")
    ids = list(tasks["Id"])
    blank, other, by_type = pick(ids, 0), pick(ids, 1), pick(ids, 2)
    unknown = set(sorted(ids)[3:6])
    tasks["Type"] = ""
    # what most orgs export: the generic subtype Task and no Type
    tasks.loc[tasks["Id"].isin(blank | other | unknown), "TaskSubtype"] = "Task"
    tasks.loc[tasks["Id"].isin(other), "Type"] = "Other"
    tasks.loc[tasks["Id"].isin(unknown), "Type"] = UNKNOWN_LABEL
    # no subtype at all: the Type says it is a call or an email
    typed = tasks["Id"].isin(by_type)
    tasks.loc[typed, "Type"] = tasks.loc[typed, "TaskSubtype"]
    tasks.loc[typed, "TaskSubtype"] = ""
    tasks.to_csv(exports / "Task.csv", index=False)

    expected = {
        i: kind.lower()
        for i, kind in zip(ids, tasks["Type"].where(typed, tasks["TaskSubtype"]), strict=True)
    }
    expected.update({i: "other" for i in blank | other})
    for i in unknown:
        del expected[i]
    events = read_text_csv(exports / "Event.csv")
    expected.update({i: "meeting" for i in events["Id"]})
    database = build(work, exports, crm_source="salesforce")
    with duckdb.connect(str(database), read_only=True) as con:
        yield (
            con,
            {
                "database": database,
                "expected": expected,
                "blank": {i for i in blank},
                "other": {i for i in other},
                "by_type": {i for i in by_type},
                "unknown": {i for i in unknown},
            },
        )


@pytest.fixture(scope="module")
def generic_edited(tmp_path_factory: pytest.TempPathFactory):
    """The generic demo export with blank, "Other", Korean and unknown activity types."""
    work = tmp_path_factory.mktemp("generic_types")
    exports = work / "exports"
    generate(1, 42, exports)
    activities = read_text_csv(exports / "activities.csv")
    clean = activities["activity_type"].str.strip().str.lower()
    ids = sorted(set(activities["activity_id"]) - {""})
    calls = sorted(set(activities.loc[clean == "call", "activity_id"]))
    blank, other = pick(ids, 0), pick(ids, 1)
    korean = pick(calls, 2) - blank - other
    unknown = set(sorted(ids)[3:5]) - blank - other - korean
    # every copy of a record (the demo repeats some rows) gets the same edit
    column = activities["activity_type"]
    activities["activity_type"] = (
        column.mask(activities["activity_id"].isin(blank), " ")
        .mask(activities["activity_id"].isin(other), " Other ")
        .mask(activities["activity_id"].isin(korean), "전화")
        .mask(activities["activity_id"].isin(unknown), "fax")
    )
    activities.to_csv(exports / "activities.csv", index=False)

    expected = dict(zip(activities["activity_id"], clean, strict=False))
    expected.update({i: "other" for i in blank | other})
    expected.update({i: "call" for i in korean})
    for i in unknown:
        del expected[i]
    database = build(work, exports)
    with duckdb.connect(str(database), read_only=True) as con:
        yield (
            con,
            {
                "expected": expected,
                "blank": blank,
                "other": other,
                "by_type": korean,
                "unknown": unknown,
            },
        )


def staged_types(con) -> pd.DataFrame:
    return (
        con.execute(
            "select activity_id, activity_type, is_type_defaulted from staging.stg_crm__activities"
        )
        .df()
        .set_index("activity_id")
    )


def assert_types_mapped(con, edits: dict) -> None:
    staged = staged_types(con)
    edits = {
        name: (ids & set(staged.index) if name in ("blank", "other", "by_type") else ids)
        for name, ids in edits.items()
    }
    assert staged["activity_type"].notna().all()
    assert set(staged["activity_type"]) == KPI_TYPES | {"other"}
    # blank: the default type, flagged and counted
    defaulted = set(staged.index[staged["is_type_defaulted"]])
    assert defaulted == edits["blank"]
    assert len(defaulted) > 100
    assert set(staged.loc[sorted(edits["blank"]), "activity_type"]) == {"other"}
    # "Other" maps to other, unflagged
    assert set(staged.loc[sorted(edits["other"]), "activity_type"]) == {"other"}
    # a type given through the other field (Salesforce Type) or another language
    assert set(staged.loc[sorted(edits["by_type"]), "activity_type"]) <= KPI_TYPES
    # every staged activity has the type the edited export gives it
    assert staged["activity_type"].to_dict() == {
        i: kind for i, kind in edits["expected"].items() if i in staged.index
    }
    # an unknown label: quarantined with its rule and label
    quarantined = con.execute(
        "select record_key, rule, raw_values from quarantine.quarantined_rows"
        " where entity = 'activities' and rule = 'unknown_activity_type'"
    ).fetchall()
    assert {key for key, _, _ in quarantined} == edits["unknown"]
    assert all(("fax" in raw_values.lower()) for _, _, raw_values in quarantined)


def assert_kpis_count_the_types_they_name(con, edits: dict) -> None:
    """activities_count = calls + emails + meetings of the SDR in an inside-sales
    month, with the types from the edited export; other and untyped beside it."""
    activities = con.execute(
        """
        select activity_id, owner_id as user_id, lead_id,
            cast(cast(date_trunc('month', occurred_at) as date) as varchar) as month
        from facts.fct_activities
        """
    ).df()
    role_months = con.execute(
        "select user_id, cast(month as varchar) as month from intermediate.int_user_role_months"
        " where role = 'inside_sales'"
    ).df()
    sdr = activities.merge(role_months, on=["user_id", "month"])
    sdr["kind"] = sdr["activity_id"].map(edits["expected"])
    assert sdr["kind"].notna().all()
    sdr["counted"] = sdr["kind"].isin(KPI_TYPES)
    sdr["other"] = sdr["kind"] == "other"
    sdr["defaulted"] = sdr["activity_id"].isin(edits["blank"])
    sdr["counted_lead"] = sdr["lead_id"].where(sdr["counted"])
    grouped = sdr.groupby(["user_id", "month"])
    expected = pd.DataFrame(
        {
            "activities_count": grouped["counted"].sum(),
            "leads_worked_count": grouped["counted_lead"].nunique(),
            "other_activities_count": grouped["other"].sum(),
            "type_defaulted_activities_count": grouped["defaulted"].sum(),
        }
    )
    mart = con.execute(
        """
        select user_id, cast(month as varchar) as month, activities_count, leads_worked_count,
            other_activities_count, type_defaulted_activities_count
        from marts.inside_sales_kpis_monthly where not is_team_row
        """
    ).df()
    mart = mart.set_index(["user_id", "month"])
    # the mart's rows (months from the first lead on); months without activities read 0
    expected = expected.reindex(mart.index, fill_value=0).astype("int64")
    pd.testing.assert_frame_equal(mart.astype("int64"), expected)
    assert expected["type_defaulted_activities_count"].sum() > 0
    assert (
        expected["other_activities_count"].sum() > expected["type_defaulted_activities_count"].sum()
    )
    team = con.execute(
        "select sum(activities_count), sum(type_defaulted_activities_count)"
        " from marts.inside_sales_kpis_monthly where is_team_row"
    ).fetchone()
    assert team == (
        expected["activities_count"].sum(),
        expected["type_defaulted_activities_count"].sum(),
    )


def test_salesforce_untyped_tasks_get_the_default_flagged_and_other_maps(salesforce_edited):
    con, edits = salesforce_edited
    assert_types_mapped(con, edits)
    assert set(edits["unknown"]) and all(i.startswith("00T") for i in edits["unknown"])


def test_salesforce_activity_kpis_count_the_types_they_name(salesforce_edited):
    assert_kpis_count_the_types_they_name(*salesforce_edited)


def test_summary_shows_the_activities_without_a_type(salesforce_edited, capsys):
    _, edits = salesforce_edited
    assert summary.main(["--database", str(edits["database"])]) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    other = next(line for line in lines if line[:1] == ["other"])
    assert other[2] == f"({len(edits['blank']):,}"
    assert "default_activity_type)" in other


def test_mart_suites_pass_with_the_new_activity_columns(salesforce_edited, tmp_path, capsys):
    _, edits = salesforce_edited
    docs = tmp_path / "gx"
    assert runner.main(["--database", str(edits["database"]), "--docs-dir", str(docs)]) == 0
    assert " 0 failed" in capsys.readouterr().out


def test_generic_types_map_through_the_same_seed(generic_edited):
    assert_types_mapped(*generic_edited)


def test_generic_activity_kpis_count_the_types_they_name(generic_edited):
    assert_kpis_count_the_types_they_name(*generic_edited)


def test_connector_sample_tasks_without_a_type_are_staged_as_the_default(tmp_path):
    """The connector sample's tasks all have TaskSubtype "Task": three have no Type
    (the default, flagged), seven a hashed Type no seed row knows (quarantined)."""
    folder = REAL_EXPORTS / "fivetran_salesforce_connector"
    if not folder.is_dir():
        pytest.skip(f"real export samples not found: {folder} is missing")
    tasks = read_text_csv(folder / "sf_task_data.csv")
    untyped = {i for i in tasks.loc[tasks["type"].str.strip() == "", "id"]}
    assert len(untyped) == 3
    database = build(tmp_path, folder, crm_source="salesforce", quarantine_max_share="1")
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            """
            select activity_id, activity_type, is_type_defaulted, row_status, quarantine_rule
            from staging.base_salesforce__activities
            where _source_file like 'sf_task_data%'
            """
        ).df()
    assert len(rows) == len(tasks)
    no_type = rows[rows["activity_id"].isin(untyped)]
    assert set(no_type["activity_type"]) == {"other"}
    assert no_type["is_type_defaulted"].all()
    assert (no_type["quarantine_rule"] != "unknown_activity_type").all()
    hashed = rows[~rows["activity_id"].isin(untyped)]
    assert set(hashed["quarantine_rule"]) == {"unknown_activity_type"}
    assert not hashed["is_type_defaulted"].any()


def test_an_unknown_default_activity_type_stops_the_build_with_a_message(tmp_path):
    result = dbt(["parse"], tmp_path / "w.duckdb", tmp_path, tmp_path, default_activity_type="fax")
    assert result.returncode != 0
    assert "default_activity_type 'fax' is not an activity type" in result.stdout
    assert "call, email, meeting, other" in result.stdout
