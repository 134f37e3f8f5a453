"""Bad-input cases: references to quarantined parents or to records not in the
export, missing exchange rates, overlapping role periods.

PLANTED cases are built together in one copy of the demo exports (each in rows
of its own, so every other mart figure must stay as it was); STOPPING cases
each stop a build of their file's models. test_bad_input runs them.
"""

from __future__ import annotations

import csv
from pathlib import Path

from bad_input_kit import NEW_DEAL, NEW_LEAD, Planted, Stopping, add_row, read_rows


def first_row(folder: Path, entity: str, **where: str) -> int:
    """Position of the first row of the file whose columns have these values."""
    _, rows = read_rows(folder, entity)
    return next(
        index for index, row in enumerate(rows) if all(row[k] == v for k, v in where.items())
    )


def add_user(folder: Path, **values: str) -> None:
    """Append a copy of the first user with some values changed, in the file's
    own delimiter (another case rewrites users.csv with semicolons)."""
    path = folder / "users.csv"
    with open(path, encoding="utf-8", newline="") as file:
        delimiter = ";" if ";" in file.readline() else ","
        file.seek(0)
        reader = csv.DictReader(file, delimiter=delimiter)
        header, rows = list(reader.fieldnames or []), list(reader)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header, delimiter=delimiter)
        writer.writeheader()
        writer.writerows([*rows, {**rows[0], **values}])


def children_of_quarantined_parents(folder: Path) -> None:
    # a deal quarantined by its own rule, with a contract, a field change and an activity
    add_row(
        folder,
        "opportunities",
        opportunity_id="opp-ref-upsell",
        **{**NEW_DEAL, "opportunity_type": "upsell"},
    )
    add_row(
        folder,
        "contracts",
        contract_id="ctr-ref-of-upsell",
        opportunity_id="opp-ref-upsell",
        renewal_opportunity_id="",
    )
    add_row(
        folder, "opportunity_changes", change_id="chg-ref-upsell", opportunity_id="opp-ref-upsell"
    )
    add_row(
        folder,
        "activities",
        activity_id="act-ref-upsell",
        lead_id="",
        opportunity_id="opp-ref-upsell",
    )
    # an account quarantined, a lead of it, and that lead's status change (a chain)
    add_row(folder, "accounts", account_id="acc-ref-many", employee_count="many")
    add_row(folder, "leads", lead_id="lead-ref-of-many", account_id="acc-ref-many", **NEW_LEAD)
    add_row(folder, "lead_status_events", event_id="lse-ref-many", lead_id="lead-ref-of-many")
    # (a user's role period: test_references, as users.csv and user_roles.csv are
    # too small here for another quarantined row within quarantine_max_share)


def references_to_no_row(folder: Path) -> None:
    account = read_rows(folder, "accounts")[1][0]["account_id"]
    add_row(
        folder,
        "contracts",
        contract_id="ctr-ref-no-deal",
        account_id=account,
        opportunity_id="opp-ref-nowhere",
        renewal_opportunity_id="",
    )
    add_row(
        folder,
        "contracts",
        contract_id="ctr-ref-no-renewal",
        account_id=account,
        renewal_opportunity_id="opp-ref-renewal-nowhere",
    )
    add_row(
        folder,
        "leads",
        lead_id="lead-ref-no-deal",
        **{**NEW_LEAD, "converted_opportunity_id": "opp-ref-converted-nowhere"},
    )
    add_row(
        folder, "leads", lead_id="lead-ref-no-account", account_id="acc-ref-nowhere", **NEW_LEAD
    )
    add_row(
        folder,
        "opportunities",
        opportunity_id="opp-ref-no-account",
        account_id="acc-ref-nowhere",
        **NEW_DEAL,
    )
    add_row(folder, "lead_status_events", event_id="lse-ref-nowhere", lead_id="lead-ref-nowhere")
    # a manager who is not a user: the user is staged, the manager left empty
    add_user(folder, user_id="u-ref-reports-to-nobody", manager_id="u-ref-nowhere")


def child_of_a_lead_not_there_yet(folder: Path) -> None:
    """A lead created after the as-of moment is set aside; so is its activity."""
    add_row(
        folder, "leads", lead_id="lead-ref-later", created_at="2026-03-02T10:00:00Z", **NEW_LEAD
    )
    add_row(
        folder,
        "activities",
        activity_id="act-ref-later",
        lead_id="lead-ref-later",
        opportunity_id="",
    )


def missing_rate_on_its_date(folder: Path) -> None:
    """CHF is rated from 2025-06-01 only (the seed has no CHF): a deal closed in
    2024 in CHF has no rate on its date (contracts: test_references)."""
    add_row(folder, "exchange_rates", rate_date="2025-06-01", currency="CHF", rate="1650.5")
    deal = first_row(folder, "opportunities", is_closed="true", is_won="true")
    add_row(
        folder,
        "opportunities",
        like=deal,
        opportunity_id="opp-ref-chf-2024",
        currency="CHF",
        close_date="2024-05-02",
    )


def overlapping_role_periods(folder: Path) -> None:
    """u-ae-001 is an AE from 2022-11-27 until 2025-08-15; a second AE period
    starting in 2023 would count them twice from then on."""
    add_row(
        folder,
        "user_roles",
        like=first_row(folder, "user_roles", user_id="u-ae-001"),
        valid_from="2023-02-01T00:00:00Z",
        valid_to="",
    )


PLANTED: list[Planted] = [
    Planted(
        "children_of_quarantined_parents",
        "opportunities",
        children_of_quarantined_parents,
        (
            ("opportunities", "unknown_opportunity_type", "opp-ref-upsell"),
            ("contracts", "parent_quarantined", "ctr-ref-of-upsell"),
            ("opportunity_changes", "parent_quarantined", "opp-ref-upsell"),
            ("activities", "parent_quarantined", "act-ref-upsell"),
            ("accounts", "unparseable_integer", "acc-ref-many"),
            ("leads", "parent_quarantined", "lead-ref-of-many"),
            ("lead_status_events", "parent_quarantined", "lead-ref-of-many"),
        ),
    ),
    Planted(
        "references_to_records_not_in_the_export",
        "contracts",
        references_to_no_row,
        (
            ("contracts", "orphan_reference", "ctr-ref-no-deal"),
            ("contracts", "orphan_reference", "ctr-ref-no-renewal"),
            ("leads", "orphan_reference", "lead-ref-no-deal"),
            ("leads", "orphan_reference", "lead-ref-no-account"),
            ("opportunities", "orphan_reference", "opp-ref-no-account"),
            ("lead_status_events", "orphan_reference", "lead-ref-nowhere"),
        ),
        staged={"users": (1, 0)},
    ),
    Planted(
        "child_of_a_parent_set_aside",
        "activities",
        child_of_a_lead_not_there_yet,
        (
            ("leads", "after_as_of_date", "lead-ref-later"),
            ("activities", "parent_set_aside", "act-ref-later"),
        ),
    ),
    Planted(
        "missing_exchange_rate_on_its_date",
        "opportunities",
        missing_rate_on_its_date,
        (("opportunities", "missing_exchange_rate", "opp-ref-chf-2024"),),
        staged={"exchange_rates": (1, 0)},
    ),
    Planted(
        "overlapping_role_period",
        "user_roles",
        overlapping_role_periods,
        (("user_roles", "overlapping_role_period", "u-ae-001"),),
    ),
]
STOPPING: list[Stopping] = []
