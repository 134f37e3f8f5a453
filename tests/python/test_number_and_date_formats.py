"""number_format and date_order: an export written the European way stages the
same amounts, counts, rates and dates as the original, and a value that is
ambiguous under the chosen format goes to quarantine with its rule.

The demo exports are rewritten inside the test: every number as 1.234,56
(grouping dots, decimal comma, the currency prefix or symbol kept), every
day/month date day first (09.11.2025, 9-11-2025, 09/11/2025, 09/11/25 02:00 AM);
ISO timestamps stay ISO (read in every order). One staging-only build of each.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from bad_input_kit import NEW_DEAL, add_row, read_rows, write_rows
from test_build_generic import dbt

AMOUNTS = {
    "opportunities": ["amount"],
    "contracts": ["annual_value"],
    "campaigns": ["cost"],
    "quotas": ["quota_amount"],
    "accounts": ["employee_count"],
    "activities": ["duration_seconds"],
    "exchange_rates": ["rate"],
}
# date-only columns rewritten day first, one spelling per file (quotas and rates
# keep theirs: the raw date text is part of their keys)
DATES = {
    "opportunities": (["close_date"], "%d.%m.%Y"),
    "contracts": (["start_date", "end_date"], "{day}-{month}-%Y"),
    "campaigns": (["start_date", "end_date"], "%d/%m/%Y"),
}
NUMBER = re.compile(r"^(\D*?)(-?)([\d,]+)(?:\.(\d+))?(\D*)$")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})( .*)?$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def european_number(text: str) -> str:
    """'₩1,200,000.50' -> '₩1.200.000,50'; text that is no number stays."""
    match = NUMBER.match(text)
    if not match or not text.strip():
        return text
    prefix, sign, digits, decimals, suffix = match.groups()
    digits = digits.replace(",", "")
    grouped = f"{int(digits):,}".replace(",", ".")
    return f"{prefix}{sign}{grouped}{',' + decimals if decimals else ''}{suffix}"


def day_first(text: str, form: str = "%d.%m.%Y") -> str:
    if match := US_DATE.match(text):
        month, day, year, rest = match.groups()
        return f"{day}/{month}/{year}{rest or ''}"
    if match := ISO_DATE.match(text):
        year, month, day = match.groups()
        return (
            form.replace("{day}", str(int(day)))
            .replace("{month}", str(int(month)))
            .replace("%d", day)
            .replace("%m", month)
            .replace("%Y", year)
        )
    return text


def write_european(exports: Path) -> int:
    changed = 0
    for path in sorted(exports.glob("*.csv")):
        entity = path.stem
        header, rows = read_rows(exports, entity)
        date_columns, form = DATES.get(entity, ([], ""))
        for row in rows:
            for column, value in row.items():
                new = value
                if column in AMOUNTS.get(entity, []):
                    new = european_number(value)
                elif entity == "opportunity_changes" and column in ("old_value", "new_value"):
                    if row["field"] == "amount":
                        new = european_number(value)
                    elif row["field"] == "close_date":
                        new = day_first(value)
                elif column in date_columns:
                    new = day_first(value, form)
                elif US_DATE.match(value):
                    new = day_first(value)
                changed += new != value
                row[column] = new
        write_rows(exports, entity, header, rows)
    return changed


def build(work: Path, exports: Path, **variables: str):
    result = dbt(
        # the unit tests pin their own vars and run in every plain build
        ["build", "--select", "+staging", "--indirect-selection", "cautious"]
        + ["--exclude-resource-type", "unit_test"],
        work / "warehouse.duckdb",
        exports,
        work,
        quarantine_max_share="1",
        **variables,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    return work / "warehouse.duckdb"


def table(database: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.execute(f"select * from {name}").df()
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


@pytest.fixture(scope="module")
def builds(demo_build, tmp_path_factory: pytest.TempPathFactory):
    """The shared demo build (default vars) and a staging build of its exports
    rewritten the European way."""
    work = tmp_path_factory.mktemp("formats")
    exports = work / "european" / "exports"
    shutil.copytree(demo_build.exports, exports)
    assert write_european(exports) > 3000
    # ambiguous or malformed under 1.234,56 (each in a row of its own)
    for key, amount in (
        ("opp-dot-cents", "1,234.56"),  # the default's habit: a comma is the decimal mark here
        ("opp-two-digit-group", "12.50"),  # a group of two digits
        ("opp-bare-comma", "1.234,"),  # a decimal mark without decimals
    ):
        add_row(exports, "opportunities", opportunity_id=key, **{**NEW_DEAL, "amount": amount})
    add_row(exports, "accounts", account_id="acc-dot-decimals", employee_count="1.2")
    # month 13 under DMY
    add_row(exports, "contracts", contract_id="ctr-month-13", start_date="01/13/2025")
    assert read_rows(exports, "opportunities")[1][0]["close_date"].count(".") == 2
    european = build(work / "european", exports, number_format="1.234,56", date_order="DMY")
    return demo_build.database, european


STAGED = ("opportunities", "opportunity_changes", "contracts", "campaigns", "quotas")
STAGED += ("accounts", "activities", "exchange_rates", "leads")


@pytest.mark.parametrize("entity", STAGED)
def test_a_european_export_stages_as_the_original(builds, entity):
    original, european = builds
    name = f"staging.stg_crm__{entity}"
    pd.testing.assert_frame_equal(table(european, name), table(original, name), obj=name)


def test_every_good_row_is_staged(builds):
    original, european = builds
    query = "quarantine.row_accounting"
    columns = ["entity", "staged_rows", "superseded_rows"]
    pd.testing.assert_frame_equal(table(european, query)[columns], table(original, query)[columns])


def test_values_ambiguous_under_the_format_are_quarantined(builds):
    _, european = builds
    with duckdb.connect(str(european), read_only=True) as con:
        rules = dict(
            con.execute(
                "select record_key, rule from quarantine.quarantined_rows"
                " where record_key in ('opp-dot-cents', 'opp-two-digit-group', 'opp-bare-comma',"
                " 'acc-dot-decimals', 'ctr-month-13')"
            ).fetchall()
        )
    assert rules == {
        "opp-dot-cents": "unparseable_amount",
        "opp-two-digit-group": "unparseable_amount",
        "opp-bare-comma": "unparseable_amount",
        "acc-dot-decimals": "unparseable_integer",
        "ctr-month-13": "unparseable_date",
    }


def test_the_rewrite_is_european():
    assert european_number("₩1,200,000.50") == "₩1.200.000,50"
    assert european_number("USD 38,300") == "USD 38.300"
    assert european_number("16120000.00") == "16.120.000,00"
    assert day_first("2025-11-09", "{day}-{month}-%Y") == "9-11-2025"
    assert day_first("01/13/24 02:00 AM") == "13/01/24 02:00 AM"
