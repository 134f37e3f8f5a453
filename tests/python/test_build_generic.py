"""End to end on the generic format: generate the demo company, `dbt build` it on a
fresh DuckDB file, and check every raw row is accounted for against truth.json.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from themodel.generator.cli import generate

PROJECT = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))


def dbt(
    args: Sequence[str],
    database: Path,
    exports: Path,
    work: Path,
    project: Path = PROJECT,
    unit_tests: bool = False,
    **variables: object,
):
    """Run dbt in the project (or a copy of it) with its own database, target and log folders.

    A `build` leaves out the unit tests unless unit_tests=True: they give their own
    input rows, so the export changes nothing for them; `make build-test` runs them
    on DuckDB, test_postgres on PostgreSQL (test_spark leaves them out: too slow
    there). They are close to half of a demo build's time."""
    if args and args[0] == "build" and not unit_tests:
        args = [*args, "--exclude-resource-type", "unit_test"]
    env = dict(
        os.environ,
        DBT_PROFILES_DIR=str(PROJECT),
        THE_MODEL_DUCKDB_PATH=str(database),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
    )
    command = [
        DBT,
        *args,
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--vars",
        "{"
        + ", ".join(
            f"{k}: " + (json.dumps(v) if isinstance(v, list | bool | int) else f"'{v}'")
            for k, v in {"crm_export_path": exports, **variables}.items()
        )
        + "}",
    ]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)


def copy_warehouse(source: Path, target: Path, exports: Path) -> Path:
    """A copy of a built warehouse, recorded as built from `exports` (a copy of its
    export folder): one warehouse per company refuses any other folder."""
    shutil.copy(source, target)
    with duckdb.connect(str(target)) as con:
        con.execute(
            "update the_model_meta.warehouse_identity set export_folder = ?",
            [str(exports.absolute())],
        )
    return target


def build_up_to(selection: str, database: Path, exports: Path, work: Path, **variables: str):
    """`dbt build --select <selection>` with the tests of the models it builds (none
    that also need a model left out); the calling test fails on a dbt error."""
    command = ["build", "--select", selection, "--indirect-selection", "cautious"]
    result = dbt(command, database, exports, work, **variables)
    assert result.returncode == 0, result.stdout[-3000:]
    return result


@pytest.fixture(scope="module")
def built(demo_build):
    """The shared fresh build of the demo company (conftest.py), its truth and output."""
    truth = json.loads((demo_build.exports / "truth.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(demo_build.database), read_only=True) as con:
        yield con, truth, demo_build.output


def test_demo_build_has_no_warning_for_its_planted_bad_rows(built):
    """The demo plants bad rows on purpose (truth.json planted_quarantine): they are
    quarantined, and the build does not warn about them (the summary reports them)."""
    con, truth, output = built
    assert truth["planted_quarantine"]
    planted = {
        (row["entity"], row["rule"]): row["row_count"] for row in truth["planted_quarantine"]
    }
    found = dict(
        ((entity, rule), count)
        for entity, rule, count in con.execute(
            "select entity, rule, count(*) from quarantine.quarantined_rows group by all"
        ).fetchall()
    )
    assert found == planted
    assert "PASS quarantine_is_empty_row_accounting_quarantined_rows" in output
    warnings = [line for line in output.splitlines() if re.search(r"\bWARN(ING)?\b(?!=)", line)]
    assert warnings == [], warnings
    assert re.search(r"Done\. PASS=\d+ WARN=0 ERROR=0", output)


def test_every_raw_row_is_staged_quarantined_or_a_counted_duplicate(built):
    con, truth, _ = built
    rows = con.execute(
        "select entity, raw_rows, staged_rows, quarantined_rows, exact_duplicate_rows,"
        " superseded_rows from quarantine.row_accounting"
    ).fetchall()
    assert len(rows) == 12
    for entity, raw, staged, quarantined, duplicates, superseded in rows:
        assert raw == truth["raw_row_counts"][entity], entity
        assert raw == staged + quarantined + duplicates + superseded, entity
        assert staged == truth["clean_row_counts"][entity], entity
        mess = truth["mess"].get(entity, {})
        assert duplicates == mess.get("exact_duplicates", 0), entity
        assert superseded == mess.get("updated_duplicates", 0), entity


def test_quarantine_rules_match_the_planted_mess(built):
    con, truth, _ = built
    found = {
        (entity, rule): count
        for entity, rule, count in con.execute(
            "select entity, rule, count(*) from quarantine.quarantined_rows group by all"
        ).fetchall()
    }
    expected = {}
    rule_of = {
        "missing_keys": "missing_key",
        "orphan_references": "orphan_reference",
        "unknown_stage_labels": "unknown_stage_label",
    }
    for entity, kinds in truth["mess"].items():
        for kind, count in kinds.items():
            if kind in rule_of:
                expected[(entity, rule_of[kind])] = count
    assert found == expected
    sample = con.execute(
        "select source_file, record_key, raw_values from quarantine.quarantined_rows"
        " where rule = 'missing_key' and entity = 'leads' limit 1"
    ).fetchone()
    assert sample[0] == "leads.csv"
    assert sample[1].startswith("row ")
    assert "lead_id=" in sample[2]


def test_leads_per_channel_and_month_equal_truth(built):
    con, truth, _ = built
    found = {
        (month.strftime("%Y-%m"), channel): leads
        for month, channel, leads in con.execute(
            "select month, channel, sum(leads_count) from marts.marketing_kpis_monthly"
            " where leads_count > 0 group by all"
        ).fetchall()
    }
    expected = {(r["month"], r["channel"]): r["leads"] for r in truth["leads_per_channel_month"]}
    assert found == expected


def test_no_personal_data_past_staging(built):
    con, _, _ = built
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns"
        " where table_schema in ('intermediate', 'marts')"
        " or (table_schema = 'staging' and table_name like 'stg_crm__%')"
    ).fetchall()
    assert columns
    leaked = [c for c in columns if c[2] in {"email", "phone", "contact_name"}]
    assert leaked == []
    (emails,) = con.execute(
        "select count(*) from staging.stg_crm__leads where email_hash like '%@%'"
    ).fetchone()
    assert emails == 0


def copy_exports(tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    generate(1, 7, exports)
    return exports


def test_missing_required_file_fails_naming_the_file(tmp_path):
    exports = copy_exports(tmp_path)
    (exports / "users.csv").unlink()
    result = dbt(
        ["run", "--select", "+base_generic__users"], tmp_path / "w.duckdb", exports, tmp_path
    )
    assert result.returncode != 0
    assert f"{exports}/users.csv (or .parquet) is missing" in result.stdout


def test_missing_required_column_fails_naming_file_and_column(tmp_path):
    exports = copy_exports(tmp_path)
    leads = (exports / "leads.csv").read_text(encoding="utf-8").splitlines()
    header = leads[0].split(",")
    position = header.index("status")
    rows = [
        ",".join(v for i, v in enumerate(line.split(",")) if i != position) for line in leads[:50]
    ]
    (exports / "leads.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = dbt(
        ["run", "--select", "raw_generic__leads"], tmp_path / "w.duckdb", exports, tmp_path
    )
    assert result.returncode != 0
    assert "leads.csv has no column 'status', which is required" in result.stdout


def test_missing_optional_file_gives_an_empty_model(tmp_path):
    exports = copy_exports(tmp_path)
    (exports / "activities.csv").unlink()
    shutil.rmtree(tmp_path / "target", ignore_errors=True)
    result = dbt(
        ["build", "--select", "+stg_generic__activities"], tmp_path / "w.duckdb", exports, tmp_path
    )
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        (count,) = con.execute("select count(*) from staging.stg_generic__activities").fetchone()
    assert count == 0


def test_realised_stage_transitions_equal_truth(built):
    """Stage history rebuilt by the intermediate layer gives the generator's exact counts."""
    con, truth, _ = built
    rows = con.execute(
        """
        with visits as (
            select
                intervals.*,
                lag(stage) over (partition by entity_id order by visit_number) as previous_stage
            from intermediate.int_stage_intervals_reconstructed as intervals
            where entity_type = 'opportunity' and not is_skipped
        )
        select strftime(visits.entered_at, '%Y-%m'), accounts.segment,
               opportunities.opportunity_type, visits.previous_stage, visits.stage, count(*)
        from visits
        join staging.stg_crm__opportunities as opportunities
            on opportunities.opportunity_id = visits.entity_id
        join staging.stg_crm__accounts as accounts using (account_id)
        where visits.previous_stage is not null
        group by all
        """
    ).fetchall()
    found = {row[:5]: row[5] for row in rows}
    expected = {
        (t["month"], t["segment"], t["opportunity_type"], t["from_stage"], t["to_stage"]): t[
            "count"
        ]
        for t in truth["opportunity_stage_transitions"]
    }
    assert found == expected


def pipeline_rows(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select * from intermediate.int_pipeline_daily order by opportunity_id, pipeline_date"
        ).fetchall()


def test_incremental_daily_pipeline_equals_a_full_refresh(tmp_path):
    """Build as of noon on a day when an open deal closes in the afternoon, step
    to two days later, then let an incremental run catch up to the latest data:
    the result must equal a full refresh (the afternoon's close removes the row
    the noon build wrote for that day)."""
    exports = copy_exports(tmp_path)
    database = tmp_path / "w.duckdb"
    for as_of in ("2025-08-14 12:00:00", "2025-08-16 12:00:00", "2025-12-21 23:59:00"):
        build_up_to("+int_pipeline_daily", database, exports, tmp_path, as_of_date=as_of)
    rows_before = len(pipeline_rows(database))
    caught_up = dbt(["run", "--select", "+int_pipeline_daily"], database, exports, tmp_path)
    assert caught_up.returncode == 0, caught_up.stdout[-3000:]
    after_incremental = pipeline_rows(database)
    assert len(after_incremental) > rows_before > 1000
    full = dbt(
        ["run", "--select", "int_pipeline_daily", "--full-refresh"], database, exports, tmp_path
    )
    assert full.returncode == 0, full.stdout[-3000:]
    assert after_incremental == pipeline_rows(database)


INCREMENTAL_FACTS = ("int_stage_events_unioned", "int_pipeline_daily")


def fact_rows(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            name: con.execute(f"select * from intermediate.{name} order by all").fetchall()
            for name in INCREMENTAL_FACTS
        }


def hold_back_late_rows(exports: Path, held: Path, days: tuple[str, ...]) -> int:
    """Copy the exports without the history rows of `days` (ISO-dated ones): rows
    that will arrive late, in the next day's export. Returns the stage changes held."""
    shutil.copytree(exports, held)
    late = " or ".join(f"changed_at like '{day}%'" for day in days)
    with duckdb.connect() as con:
        for name in ("lead_status_events", "opportunity_changes"):
            source = exports / f"{name}.csv"
            con.execute(
                f"copy (select * from read_csv('{source}', all_varchar = true, header = true)"
                f" where not ({late})) to '{held / f'{name}.csv'}' (header)"
            )
        (stage_changes,) = con.execute(
            f"select count(*) from read_csv('{exports / 'opportunity_changes.csv'}',"
            f" all_varchar = true, header = true) where field ilike 'stage%' and ({late})"
        ).fetchone()
    return stage_changes


def test_incremental_facts_equal_a_full_refresh(tmp_path):
    """Day 1 is built without the history rows of its last two days; day 2 brings them
    late, with one more day: the incremental stage events and daily pipeline must equal
    a full refresh. Then the as-of moment moves back two days: equal again."""
    full_exports = copy_exports(tmp_path)
    # one export folder, as a daily job keeps it (one warehouse per company and folder):
    # day one's files, then day two's copied over them
    exports = tmp_path / "live_exports"
    assert hold_back_late_rows(full_exports, exports, ("2025-12-27", "2025-12-28")) > 0
    database = tmp_path / "w.duckdb"
    build_up_to(
        "+int_pipeline_daily", database, exports, tmp_path, as_of_date="2025-12-28 23:59:00"
    )
    day_one_rows = fact_rows(database)
    shutil.rmtree(exports)
    shutil.copytree(full_exports, exports)
    run = ["run", "--select", "+int_pipeline_daily"]
    rebuild = [*INCREMENTAL_FACTS, "int_stage_intervals_reconstructed"]
    facts = ["run", "--select", *rebuild, "--full-refresh"]
    for as_of in ("2025-12-29 23:59:00", "2025-12-26 23:59:00"):
        incremental = dbt(run, database, exports, tmp_path, as_of_date=as_of)
        assert incremental.returncode == 0, incremental.stdout[-3000:]
        after_incremental = fact_rows(database)
        full = dbt(facts, database, exports, tmp_path, as_of_date=as_of)
        assert full.returncode == 0, full.stdout[-3000:]
        after_full_refresh = fact_rows(database)
        for name in INCREMENTAL_FACTS:
            assert len(after_incremental[name]) > 1000, name
            assert after_incremental[name] != day_one_rows[name], name
            assert after_incremental[name] == after_full_refresh[name], (name, as_of)


def test_planted_bottleneck_ranks_first_for_enterprise_from_month_19(built):
    con, truth, _ = built
    story = truth["story"]["bottleneck"]
    rows = con.execute(
        "select strftime(month, '%Y-%m'), stage from marts.funnel_bottlenecks"
        " where segment = ? and bottleneck_rank = 1 and month >= date '2025-07-01'"
        " order by month",
        [story["segment"]],
    ).fetchall()
    assert story["from_month"] == 19
    assert [month for month, _ in rows] == [f"2025-{m:02d}" for m in range(7, 13)]
    assert {stage for _, stage in rows} == {story["from_stage"]}
    (significant,) = con.execute(
        "select count(*) from marts.funnel_bottlenecks where segment = 'enterprise'"
        " and stage = 'proposal' and is_drop_significant and month >= date '2025-08-01'"
    ).fetchone()
    assert significant == 5
    # before the change the stage may top a month by noise, but never with a clear drop
    (before,) = con.execute(
        "select count(*) from marts.funnel_bottlenecks where segment = 'enterprise'"
        " and stage = 'proposal' and is_drop_significant and month < date '2025-07-01'"
    ).fetchone()
    assert before == 0


def test_loose_and_strict_sdr_fall_outside_the_acceptance_band(built):
    con, truth, _ = built
    rows = con.execute(
        "select user_id, sum(accepted_count), sum(rejected_count)"
        " from marts.inside_sales_kpis_monthly group by user_id"
    ).fetchall()
    totals = {user: (accepted, rejected) for user, accepted, rejected in rows}
    for user, expected in truth["handoffs_per_sdr"].items():
        assert totals[user] == (expected["accepted"], expected["rejected"]), user
    story = truth["story"]

    def band(user: str) -> str:
        accepted, rejected = totals[user]
        rate = accepted / (accepted + rejected)
        return "below" if rate < 0.70 else "above" if rate > 0.80 else "in_band"

    assert band(story["loose_sdr"]["user_id"]) == "below"
    assert band(story["strict_sdr"]["user_id"]) == "above"
    special = {story["loose_sdr"]["user_id"], story["strict_sdr"]["user_id"], "_team"}
    others = [user for user, (a, r) in totals.items() if user not in special and a + r >= 40]
    assert len(others) >= 5
    assert all(band(user) == "in_band" for user in others)


def test_ramping_sdrs_grow_in_productive_fte_and_output(built):
    con, truth, _ = built
    for user, ramp in truth["story"]["ramping_sdrs"].items():
        rows = con.execute(
            "select productive_fte, opportunities_created_count"
            " from marts.inside_sales_kpis_monthly where user_id = ? order by month limit 3",
            [user],
        ).fetchall()
        if len(rows) < 3:
            continue
        # the last month may end at the as-of moment (23:59), a hair short of a full month
        assert [fte for fte, _ in rows] == pytest.approx([0.0, 0.5, 1.0], abs=1e-3), user
        assert [count for _, count in rows] == ramp["by_month_in_role"][:3], user


def test_wins_per_ae_equal_truth_and_the_overloaded_quarter_shows(built):
    con, truth, _ = built
    found = {
        (month.strftime("%Y-%m"), user): won
        for month, user, won in con.execute(
            "select month, user_id, won_count from marts.field_sales_kpis_monthly"
            " where not is_team_row and won_count > 0"
        ).fetchall()
    }
    expected = {(r["month"], r["user_id"]): r["won"] for r in truth["wins_per_ae_month"]}
    assert found == expected
    overloaded = {
        month.strftime("%Y-%m")
        for (month,) in con.execute(
            "select month from marts.field_sales_kpis_monthly"
            " where is_team_row and capacity_utilisation > 1"
        ).fetchall()
    }
    assert overloaded and overloaded <= {"2025-04", "2025-05", "2025-06"}
    assert truth["story"]["overload"]["quarter"] == "2025-Q2"


def write_csv(path: Path, header: str, *rows: str) -> None:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def tiny_export(folder: Path, stage: str, modified_at: str) -> Path:
    """A one-deal company whose CRM exports no history at all."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "users.csv", "user_id,full_name,hired_at", "ae1,An AE,2023-01-01")
    write_csv(folder / "user_roles.csv", "user_id,role_label,valid_from", "ae1,AE,2023-01-01")
    write_csv(folder / "accounts.csv", "account_id,employee_count", "a1,5000")
    write_csv(
        folder / "leads.csv",
        "lead_id,created_at,status,account_id",
        "l1,2024-01-01T09:00:00Z,Converted,a1",
    )
    write_csv(
        folder / "opportunities.csv",
        "opportunity_id,account_id,created_at,owner_id,stage,amount,modified_at",
        f"o1,a1,2024-01-01T10:00:00Z,ae1,{stage},1000,{modified_at}",
    )
    return folder


def test_snapshots_rebuild_stage_history_for_a_crm_without_history(tmp_path):
    database = tmp_path / "w.duckdb"
    # each day's export lands in the one folder the warehouse records
    day_one = tiny_export(tmp_path / "exports", "Proposal", "2024-01-05T08:00:00Z")
    build_up_to("+int_stage_intervals_reconstructed", database, day_one, tmp_path)
    day_two = tiny_export(tmp_path / "exports", "Negotiation", "2024-01-09T08:00:00Z")
    build_up_to("+int_stage_intervals_reconstructed", database, day_two, tmp_path)
    with duckdb.connect(str(database), read_only=True) as con:
        visits = con.execute(
            "select stage, entered_at, exited_at, is_current"
            " from intermediate.int_stage_intervals_reconstructed"
            " where entity_type = 'opportunity' order by visit_number"
        ).fetchall()
    assert [
        (stage, str(entered), str(exited), current) for stage, entered, exited, current in visits
    ] == [
        # created at Proposal: the earlier stages were passed at its creation
        ("opportunity_created", "2024-01-01 10:00:00", "2024-01-01 10:00:00", False),
        ("accepted", "2024-01-01 10:00:00", "2024-01-01 10:00:00", False),
        ("discovery", "2024-01-01 10:00:00", "2024-01-01 10:00:00", False),
        ("proposal", "2024-01-01 10:00:00", "2024-01-09 08:00:00", False),
        ("negotiation", "2024-01-09 08:00:00", "None", True),
    ]


def test_capacity_valve_closes_in_the_overloaded_quarter_and_opens_later(tmp_path):
    exports = copy_exports(tmp_path)
    database = tmp_path / "w.duckdb"
    guidance = {}
    for as_of in ("2025-06-15 12:00:00", "2025-10-15 12:00:00"):
        build_up_to("+sales_capacity_valve", database, exports, tmp_path, as_of_date=as_of)
        with duckdb.connect(str(database), read_only=True) as con:
            guidance[as_of[:7]] = con.execute(
                "select guidance, utilisation_rate from marts.sales_capacity_valve"
                " where is_team_row"
            ).fetchone()
    assert guidance["2025-06"][0] == "high_certainty_only"
    assert guidance["2025-06"][1] > 1
    assert guidance["2025-10"][0] == "hand_over_early", guidance


def test_parquet_exports_stage_like_csv(tmp_path):
    """The generator's Parquet files are read straight from the folder, like CSV."""
    exports = tmp_path / "exports"
    truth = generate(1, 42, exports, file_type="parquet")
    assert not list(exports.glob("*.csv")) and len(list(exports.glob("*.parquet"))) == 12
    database = tmp_path / "warehouse.duckdb"
    result = dbt(
        ["build", "--select", "+row_accounting", "--exclude-resource-type", "test"],
        database,
        exports,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select entity, raw_rows, staged_rows from quarantine.row_accounting"
        ).fetchall()
    assert len(rows) == 12
    for entity, raw, staged in rows:
        assert raw == truth["raw_row_counts"][entity], entity
        assert staged == truth["clean_row_counts"][entity], entity


def test_contracts_are_in_the_stage_log_active_then_renewed_or_churned_at_term_end(built):
    con, _, _ = built
    visits = dict(
        con.execute(
            "select stage, count(*) from intermediate.int_stage_intervals_reconstructed"
            " where entity_type = 'contract' group by 1"
        ).fetchall()
    )
    started = con.execute(
        "select count(*) from staging.stg_crm__contracts, intermediate.int_as_of_date"
        " where start_date <= as_of_at"
    ).fetchall()[0][0]
    assert visits["contract_active"] == started > 0
    ended = dict(
        con.execute(
            "select status, count(*) from staging.stg_crm__contracts, intermediate.int_as_of_date"
            " where status in ('renewed', 'churned') and end_date + 1 <= as_of_at group by 1"
        ).fetchall()
    )
    assert visits.get("renewed", 0) == ended.get("renewed", 0) > 0
    assert visits.get("churned", 0) == ended.get("churned", 0) > 0


def test_journeys_name_the_marketer_who_ran_the_campaign(built):
    con, _, _ = built
    rows = con.execute(
        """
        select
            count(*) as deals,
            count(journeys.marketer_id) as with_marketer,
            count(roles.user_id) as marketer_in_role
        from intermediate.int_opportunity_journeys as journeys
        inner join staging.stg_crm__campaigns as campaigns
            on journeys.campaign_id = campaigns.campaign_id
        left join staging.stg_crm__user_roles as roles
            on journeys.marketer_id = roles.user_id
            and roles.role = 'marketing'
            and roles.valid_from <= campaigns.start_date
            and (roles.valid_to is null or roles.valid_to > campaigns.start_date)
        where journeys.opportunity_type = 'new_business'
        """
    ).fetchall()[0]
    deals, with_marketer, marketer_in_role = rows
    assert deals > 500
    assert with_marketer == deals
    assert marketer_in_role == deals


def test_an_explicit_as_of_date_hides_everything_after_it(tmp_path):
    """Built as of mid-June 2025, the marts know nothing that happened later:
    no deal created after the as-of moment is handed off, worked or sourced, and
    a lead converted later is not converted yet."""
    exports = copy_exports(tmp_path)
    database = tmp_path / "w.duckdb"
    as_of = "2025-06-15 12:00:00"
    selection = "+marketing_kpis_monthly +inside_sales_kpis_monthly +int_opportunity_journeys"
    build_up_to(selection, database, exports, tmp_path, as_of_date=as_of)
    with duckdb.connect(str(database), read_only=True) as con:
        later_deals = con.execute(
            "select count(*) from intermediate.int_opportunity_journeys where created_at > ?",
            [as_of],
        ).fetchone()[0]
        later_conversions = con.execute(
            "select count(*) from intermediate.int_lead_journeys"
            " where converted_at > ? or (converted_at is null and converted_opportunity_id"
            " is not null)",
            [as_of],
        ).fetchone()[0]
        handoffs_after = con.execute(
            "select coalesce(sum(opportunities_created_count), 0)"
            " from marts.inside_sales_kpis_monthly where month > date '2025-06-01'"
        ).fetchone()[0]
        june = con.execute(
            "select opportunities_created_count from marts.inside_sales_kpis_monthly"
            " where month = date '2025-06-01' and user_id = '_team'"
        ).fetchone()[0]
        won_later = con.execute(
            "select count(*) from intermediate.int_opportunity_journeys"
            " where is_won and (closed_at is null or closed_at > ?)",
            [as_of],
        ).fetchone()[0]
        leads_after = con.execute(
            "select coalesce(sum(leads_count), 0) from marts.marketing_kpis_monthly"
            " where month > date '2025-06-01'"
        ).fetchone()[0]
        created_by_then = con.execute(
            "select count(*) from staging.stg_crm__opportunities o"
            " where o.opportunity_type = 'new_business' and o.created_at >= date '2025-06-01'"
            " and o.created_at <= ?",
            [as_of],
        ).fetchone()[0]
    assert later_deals == 0
    assert later_conversions == 0
    assert handoffs_after == 0
    assert won_later == 0
    assert leads_after == 0
    assert 0 < june <= created_by_then
