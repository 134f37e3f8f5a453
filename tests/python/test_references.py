"""References and rates that the bad-input suite cannot show with the default
variables, or whose figures it does not read: an amount converted at the
nearest earlier rate (missing_rate_policy nearest_earlier, with its warning),
the parent a quarantined child names, a manager who is not a user, an owner the
users export lacks, and two role periods that start together.

One build of staging only, on a copy of the demo exports with rows of our own.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from bad_input_kit import NEW_DEAL, add_row, read_rows, write_rows
from bad_input_references import add_user, first_row
from test_build_generic import dbt


@dataclass
class Built:
    database: Path
    output: str


@pytest.fixture(scope="module")
def built(demo_build, tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("references")
    exports = work / "exports"
    shutil.copytree(demo_build.exports, exports)
    # CHF is rated in January 2024 and from June 2025 on; nothing before 2024
    header, rows = read_rows(exports, "exchange_rates")
    chf = {"currency": "CHF", "base_currency": "KRW"}
    rows += [
        {**chf, "rate_date": "2024-01-01", "next_rate_date": "2024-02-01", "rate": "1500"},
        {**chf, "rate_date": "2025-06-01", "next_rate_date": "", "rate": "1650"},
    ]
    header = [*header, "next_rate_date"] if "next_rate_date" not in header else header
    write_rows(exports, "exchange_rates", header, [{c: r.get(c, "") for c in header} for r in rows])
    won = first_row(exports, "opportunities", is_closed="true", is_won="true")
    # closed in May 2024: no CHF rate that day, January's is the nearest earlier
    add_row(
        exports,
        "opportunities",
        like=won,
        opportunity_id="opp-chf-may-2024",
        currency="CHF",
        amount="1000",
        close_date="2024-05-02",
    )
    # closed before any CHF rate: nothing earlier to take
    add_row(
        exports,
        "opportunities",
        like=won,
        opportunity_id="opp-chf-2023",
        currency="CHF",
        amount="1000",
        close_date="2023-11-02",
    )
    # a contract started in May 2024 in CHF
    add_row(
        exports,
        "contracts",
        contract_id="ctr-chf-may-2024",
        currency="CHF",
        annual_value="2000",
        start_date="2024-05-02",
        end_date="2025-05-01",
        opportunity_id="",
        renewal_opportunity_id="",
    )
    # a quarantined deal and the contract that names it
    add_row(
        exports,
        "opportunities",
        opportunity_id="opp-upsell",
        **{**NEW_DEAL, "opportunity_type": "upsell"},
    )
    add_row(
        exports,
        "contracts",
        contract_id="ctr-of-upsell",
        opportunity_id="opp-upsell",
        renewal_opportunity_id="",
    )
    # a manager who is not a user; an owner the users export lacks
    add_user(exports, user_id="u-reports-to-nobody", manager_id="u-nobody")
    add_row(
        exports,
        "leads",
        lead_id="lead-of-ghost",
        owner_id="u-ghost",
        created_at="2024-03-04T05:06:00Z",
        converted_at="",
        converted_opportunity_id="",
        status="New",
    )
    add_row(
        exports,
        "activities",
        activity_id="act-of-ghost",
        owner_id="u-ghost",
        occurred_at="2024-02-01T09:00:00Z",
        lead_id="lead-of-ghost",
        opportunity_id="",
    )
    # a user without hire date, and a role period of theirs; a role period of nobody
    add_user(exports, user_id="u-unhired", hired_at="", modified_at="")
    add_row(exports, "user_roles", user_id="u-unhired")
    add_row(exports, "user_roles", user_id="u-nobody")
    # two role periods of one person that start at the same moment
    sdr = first_row(exports, "user_roles", user_id="u-sdr-001")
    add_row(exports, "user_roles", like=sdr, role_label="AE")

    result = dbt(
        # tests of the selected models whose other parents (intermediate) are not built: left out
        [
            "build",
            "--select",
            "+stg_crm__users +row_accounting",
            "--indirect-selection",
            "cautious",
        ],
        work / "warehouse.duckdb",
        exports,
        work,
        missing_rate_policy="nearest_earlier",
        # user_roles.csv has 34 rows: the rows planted here are more than 5% of them
        quarantine_max_share="0.5",
    )
    assert result.returncode == 0, result.stdout[-5000:]
    return Built(work / "warehouse.duckdb", result.stdout)


def query(built: Built, sql: str) -> list[tuple]:
    with duckdb.connect(str(built.database), read_only=True) as con:
        return con.execute(sql).fetchall()


def rule_of(built: Built, key: str) -> list[tuple]:
    return sorted(
        query(
            built,
            "select entity, rule, rule_detail from quarantine.quarantined_rows"
            f" where record_key = '{key}'",
        )
    )


def test_nearest_earlier_converts_at_the_last_rate_before_the_date_and_warns(built: Built):
    rows = query(
        built,
        "select amount, amount_reporting from staging.stg_crm__opportunities"
        " where opportunity_id = 'opp-chf-may-2024'",
    )
    assert [(float(a), float(r)) for a, r in rows] == [(1000.0, 1_500_000.0)]
    rows = query(
        built,
        "select annual_value_amount_reporting from staging.stg_crm__contracts"
        " where contract_id = 'ctr-chf-may-2024'",
    )
    assert [float(r) for (r,) in rows] == [3_000_000.0]
    message = " ".join(built.output.split())
    assert "Exchange rates: 1 opportunities in CHF have no CHF rate on their date" in message
    assert "Exchange rates: 1 contracts in CHF have no CHF rate on their date" in message
    assert "nearest earlier rate (missing_rate_policy nearest_earlier)" in message


def test_without_an_earlier_rate_the_amount_is_still_quarantined(built: Built):
    [(entity, rule, detail)] = rule_of(built, "opp-chf-2023")
    assert (entity, rule) == ("opportunities", "missing_exchange_rate")
    assert detail.startswith("no CHF rate on 2023-11-02")


def test_a_child_names_its_quarantined_parent_and_the_parents_rule(built: Built):
    assert rule_of(built, "ctr-of-upsell") == [
        ("contracts", "parent_quarantined", "opportunities opp-upsell: unknown_opportunity_type")
    ]


def test_a_user_s_role_period_names_the_quarantined_user(built: Built):
    assert rule_of(built, "u-unhired") == [
        ("user_roles", "parent_quarantined", "users u-unhired: missing_timestamp"),
        ("users", "missing_timestamp", None),
    ]
    assert rule_of(built, "u-nobody") == [
        ("user_roles", "orphan_reference", "user_id u-nobody is in no row of users"),
    ]


def test_a_manager_who_is_not_a_user_is_left_empty_and_flagged(built: Built):
    assert query(
        built,
        "select manager_id, is_manager_unknown from staging.stg_crm__users"
        " where user_id = 'u-reports-to-nobody'",
    ) == [(None, True)]
    assert rule_of(built, "u-reports-to-nobody") == []


def test_an_owner_missing_from_users_is_inferred_hired_at_their_first_record(built: Built):
    rows = query(
        built,
        "select is_inferred, full_name, cast(hired_at as varchar) from staging.stg_crm__users"
        " where user_id = 'u-ghost'",
    )
    assert rows == [(True, None, "2024-02-01 09:00:00")]
    # their lead and activity are staged, and the users export's rows still add up
    assert query(
        built, "select count(*) from staging.stg_crm__leads where owner_id = 'u-ghost'"
    ) == [(1,)]
    assert query(
        built,
        "select staged_rows from quarantine.row_accounting where entity = 'users'",
    ) == query(built, "select count(*) from staging.stg_crm__users where not is_inferred")


def test_role_periods_starting_together_are_both_quarantined(built: Built):
    rules = rule_of(built, "u-sdr-001")
    assert [(entity, rule) for entity, rule, _ in rules] == [
        ("user_roles", "overlapping_role_period"),
        ("user_roles", "overlapping_role_period"),
    ]
