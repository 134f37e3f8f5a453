"""A connector's history mode (Fivetran `_fivetran_start` / `_fivetran_end` /
`_fivetran_active`), on a fixture made from the real connector sample in
../shared/data/real_exports/fivetran_salesforce_connector/.

The sample's history table is what an org that turned history mode on after it
had deals looks like: every version starts months after its opportunity was
created and closed (December 2018 deals, versions from April and October 2019),
and two opportunities have only an inactive version that ended with no
successor (deleted in Salesforce). The sample's text values are hashed and every
opportunity is soft-deleted, so the fixture keeps its ids, dates, flags, owners
and amounts and replaces only what cannot be read: stage names (from is_won /
is_closed), the opportunity type, the account ids (they join no account) and
the soft-delete flag. It adds a user table as the connector lands it, with no
created date (the sample leaves its user file out: it names real people).
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_build_generic import PROJECT, dbt

CONNECTOR = PROJECT.parent / "shared" / "data" / "real_exports" / "fivetran_salesforce_connector"

# the sample's two opportunities whose only version ended inactive (2019-04-04 18:36:07)
DELETED = {"006q000000HcZXXAA3", "006q000000HdOhuAAF"}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def readable(row: dict[str, str]) -> dict[str, str]:
    """The sample row with the hashed fields it cannot be read by replaced."""
    if row["is_won"].lower() == "true":
        stage = "Closed Won"
    elif row["is_closed"].lower() == "true":
        stage = "Closed Lost"
    else:
        stage = "Prospecting"
    return {
        **row,
        "stage_name": stage,
        "type": "New Customer",
        "account_id": "",
        "forecast_category": "",
        "forecast_category_name": "",
        "is_deleted": "false",
    }


def connector_fixture(folder: Path) -> Path:
    if not CONNECTOR.is_dir():
        pytest.skip(f"real export samples not found: {CONNECTOR} is missing")
    folder.mkdir(parents=True)
    opportunities = [readable(r) for r in read_rows(CONNECTOR / "sf_opportunity_data.csv")]
    versions = [readable(r) for r in read_rows(CONNECTOR / "sf_opportunity_history_data.csv")]
    write_rows(folder / "sf_opportunity_data.csv", opportunities)
    write_rows(folder / "sf_opportunity_history_data.csv", versions)
    owners = sorted({r["owner_id"] for r in opportunities + versions})
    # a connector's user table: no created_date column at all
    write_rows(
        folder / "sf_user_data.csv",
        [
            {
                "id": owner,
                "name": f"User {n}",
                "is_active": "true",
                "_fivetran_synced": "2019-04-04 18:47:01",
                "_fivetran_deleted": "false",
            }
            for n, owner in enumerate(owners, 1)
        ],
    )
    return folder


@pytest.fixture(scope="module")
def connector(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("connector")
    exports = connector_fixture(work / "exports")
    database = work / "warehouse.duckdb"
    # two of ten opportunities are deleted in the source: over the default 5% share
    result = dbt(
        ["build"], database, exports, work, crm_source="salesforce", quarantine_max_share="1"
    )
    assert result.returncode == 0, result.stdout[-5000:]
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, exports


def frame(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def sample_opportunities(exports: Path) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in read_rows(exports / "sf_opportunity_data.csv")}


def test_wins_keep_their_real_dates_not_the_start_of_capture(connector):
    """Closed in December 2018, captured from April or October 2019: each deal closes
    on its close date (on its creation when the close date is earlier), and its cycle
    runs from creation to that moment."""
    con, exports = connector
    sample = sample_opportunities(exports)
    facts = frame(
        con,
        "select opportunity_id, is_won, created_at, closed_at, cycle_days"
        " from facts.fct_opportunities where is_closed",
    )
    kept = {k: v for k, v in sample.items() if k not in DELETED and v["is_closed"] == "true"}
    assert set(facts["opportunity_id"]) == set(kept)
    assert facts["is_won"].sum() == 5
    for row in facts.itertuples():
        created = datetime.fromisoformat(sample[row.opportunity_id]["created_date"])
        close_day = datetime.fromisoformat(sample[row.opportunity_id]["close_date"])
        assert row.closed_at == max(created, close_day), row.opportunity_id
        assert row.closed_at < datetime(2019, 1, 1), row.opportunity_id
        cycle = (max(created, close_day) - created).total_seconds() / 86400
        assert row.cycle_days == pytest.approx(cycle), row.opportunity_id
    # 006q000000Hbmd1: created 2018-12-10 17:03:22, closed 2018-12-18, not at capture (2019-04-04)
    cycle = facts.set_index("opportunity_id").loc["006q000000Hbmd1AAB", "cycle_days"]
    assert cycle == pytest.approx(7.289, abs=0.001)
    team = frame(
        con,
        "select month, won_count, closed_count from marts.field_sales_kpis_monthly"
        " where is_team_row and closed_count > 0",
    )
    team["month"] = pd.to_datetime(team["month"]).dt.date
    # the CRM's own months: lost 2018-10-31 and 2018-11-21; five wins and one loss in December
    assert team.to_dict("records") == [
        {"month": date(2018, 10, 1), "won_count": 0, "closed_count": 1},
        {"month": date(2018, 11, 1), "won_count": 0, "closed_count": 1},
        {"month": date(2018, 12, 1), "won_count": 5, "closed_count": 6},
    ]


def test_first_captured_version_is_no_stage_change(connector):
    """Each kept deal's stage path is creation at the entry stage -> its closed stage:
    two stage events, none at a version's _fivetran_start."""
    con, exports = connector
    events = frame(
        con,
        """
        select entity_id, stage, event_at from intermediate.int_stage_events_unioned
        where entity_type = 'opportunity' order by entity_id, event_at, event_order
        """,
    )
    starts = {
        datetime.fromisoformat(r["_fivetran_start"])
        for r in read_rows(exports / "sf_opportunity_history_data.csv")
    }
    assert not set(events["event_at"]) & starts
    paths = events.groupby("entity_id")["stage"].apply(list)
    assert set(paths.map(tuple)) == {
        ("opportunity_created", "closed_won"),
        ("opportunity_created", "closed_lost"),
    }


def test_deleted_in_source_is_quarantined_not_open_pipeline(connector):
    """`_fivetran_active = false` with no active successor: deleted in Salesforce.
    The opportunity and its version are quarantined as deleted_in_source, and the
    open one (006q000000HdOhu) is in no day's pipeline."""
    con, _ = connector
    rules = frame(
        con,
        "select entity, rule, count(*) as n from quarantine.quarantined_rows"
        " group by all order by 1",
    )
    # the deleted lost deal's one version gives two changes (created at the entry
    # stage, then closed), the deleted open deal's one
    assert rules.to_dict("records") == [
        {"entity": "opportunities", "rule": "deleted_in_source", "n": 2},
        {"entity": "opportunity_changes", "rule": "deleted_in_source", "n": 3},
    ]
    quarantined = frame(
        con,
        "select record_key from staging.base_salesforce__opportunities"
        " where row_status = 'quarantined'",
    )
    assert {key for key in quarantined["record_key"]} == DELETED
    pipeline = con.execute(
        "select count(*) from intermediate.int_pipeline_daily"
        " where opportunity_id in ('006q000000HdOhu', '006q000000HcZXX')"
    ).fetchone()[0]
    assert pipeline == 0
    accounting = frame(con, "select * from quarantine.row_accounting").set_index("entity")
    assert (
        accounting["raw_rows"]
        == accounting["staged_rows"]
        + accounting["quarantined_rows"]
        + accounting["exact_duplicate_rows"]
        + accounting["superseded_rows"]
    ).all()


def test_connector_users_without_created_date_are_dated_by_their_first_record(connector):
    """The connector's user table has no created date: each user is hired when
    first seen owning a record, as an owner with no user row is."""
    con, exports = connector
    users = frame(con, "select user_id, full_name, hired_at from staging.stg_crm__users")
    first_seen: dict[str, datetime] = {}
    for row in read_rows(exports / "sf_opportunity_data.csv") + read_rows(
        exports / "sf_opportunity_history_data.csv"
    ):
        created = datetime.fromisoformat(row["created_date"])
        first_seen[row["owner_id"]] = min(first_seen.get(row["owner_id"], created), created)
    assert len(users) == len(first_seen)
    assert users["full_name"].notna().all()  # the user rows, not owners made up from records
    for row in users.itertuples():
        assert row.hired_at == first_seen[row.user_id], row.user_id
