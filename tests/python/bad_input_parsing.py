"""Bad-input cases: typed columns that do not parse as their documented
forms, numbers and dates in a locale's habits, currencies in the amount text,
values out of range.

PLANTED cases are built together in one copy of the demo exports (each in rows
of its own, so every other mart figure must stay as it was); STOPPING cases
each stop a build of their file's models. test_bad_input runs them.

The demo is built with the default vars: number_format 1,234.56 and
date_order MDY (tests/python/test_number_and_date_formats.py builds the others).
"""

from __future__ import annotations

from bad_input_kit import NEW_DEAL, NEW_LEAD, Planted, Stopping, add_row

PLANTED: list[Planted] = [
    Planted(
        # a BANT answer in another language is no boolean (never read as null)
        "unparseable_boolean_lead",
        "leads",
        lambda f: add_row(f, "leads", lead_id="lead-bant-si", has_need="sí", **NEW_LEAD),
        (("leads", "unparseable_boolean", "lead-bant-si"),),
    ),
    Planted(
        # is_won must parse: it is not left to the stage mapping when written
        "unparseable_boolean_deal",
        "opportunities",
        lambda f: add_row(
            f, "opportunities", opportunity_id="opp-won-text", **{**NEW_DEAL, "is_won": "WON"}
        ),
        (("opportunities", "unparseable_boolean", "opp-won-text"),),
    ),
    Planted(
        "unparseable_integer_duration",
        "activities",
        lambda f: add_row(f, "activities", activity_id="act-dur-text", duration_seconds="3m20s"),
        (("activities", "unparseable_integer", "act-dur-text"),),
    ),
    Planted(
        # under the default 1,234.56 a dot is a decimal mark: 2.500 is no count
        "unparseable_integer_decimal",
        "accounts",
        lambda f: add_row(f, "accounts", account_id="acc-emp-dotted", employee_count="2.500"),
        (("accounts", "unparseable_integer", "acc-emp-dotted"),),
    ),
    Planted(
        "out_of_range_fit_score",
        "leads",
        lambda f: add_row(f, "leads", lead_id="lead-fit-101", fit_score="101", **NEW_LEAD),
        (("leads", "out_of_range", "lead-fit-101"),),
    ),
    Planted(
        "out_of_range_negative_duration",
        "activities",
        lambda f: add_row(f, "activities", activity_id="act-dur-neg", duration_seconds="-45"),
        (("activities", "out_of_range", "act-dur-neg"),),
    ),
    Planted(
        # 17 digits: more than decimal(18, 2) holds; a rule, not a cast error
        "out_of_range_amount",
        "opportunities",
        lambda f: add_row(
            f,
            "opportunities",
            opportunity_id="opp-too-big",
            **{**NEW_DEAL, "amount": "12,345,678,901,234,567"},
        ),
        (("opportunities", "out_of_range", "opp-too-big"),),
    ),
    Planted(
        # a decimal comma under the default number_format is never read x100
        "unparseable_amount_decimal_comma",
        "contracts",
        lambda f: add_row(f, "contracts", contract_id="ctr-comma", annual_value="48000000,00"),
        (("contracts", "unparseable_amount", "ctr-comma"),),
    ),
    Planted(
        # groups of other than three digits
        "unparseable_amount_bad_grouping",
        "opportunities",
        lambda f: add_row(
            f, "opportunities", opportunity_id="opp-lakh", **{**NEW_DEAL, "amount": "12,50,000"}
        ),
        (("opportunities", "unparseable_amount", "opp-lakh"),),
    ),
    Planted(
        # a field history's old amount was read as null before
        "unparseable_amount_field_history",
        "opportunity_changes",
        lambda f: add_row(
            f,
            "opportunity_changes",
            change_id="chg-old-amount",
            field="amount",
            old_value="n/a",
            new_value="5000",
        ),
        (("opportunity_changes", "unparseable_amount", "*"),),
    ),
    Planted(
        # modified_at orders versions: a date that does not exist is a rule
        "unparseable_modified_at",
        "accounts",
        lambda f: add_row(
            f, "accounts", account_id="acc-feb-30", modified_at="2025-02-30T09:00:00Z"
        ),
        (("accounts", "unparseable_timestamp", "acc-feb-30"),),
    ),
    Planted(
        # a field history's old close date was read as null before
        "unparseable_date_field_history",
        "opportunity_changes",
        lambda f: add_row(
            f,
            "opportunity_changes",
            change_id="chg-old-close",
            field="close_date",
            old_value="end of Q3",
            new_value="2026-09-30",
        ),
        (("opportunity_changes", "unparseable_date", "*"),),
    ),
    Planted(
        "conflicting_currency",
        "opportunities",
        lambda f: add_row(
            f,
            "opportunities",
            opportunity_id="opp-eur-usd",
            **{**NEW_DEAL, "amount": "EUR 12,000", "currency": "USD"},
        ),
        (("opportunities", "conflicting_currency", "opp-eur-usd"),),
    ),
    Planted(
        # $ is the symbol of several currencies: with no currency column, a guess
        "ambiguous_currency",
        "contracts",
        lambda f: add_row(
            f, "contracts", contract_id="ctr-dollar", annual_value="$7,500", currency=""
        ),
        (("contracts", "ambiguous_currency", "ctr-dollar"),),
    ),
]
STOPPING: list[Stopping] = []
