"""Salesforce ids and placeholders (issue 17, item 6).

- Keys are the 18-character case-safe form the Data Export writes, computed from
  the case-sensitive 15-character form: the computed suffix must equal the one
  in every id of the real samples.
- The empty-lookup id 000000000000000AAA is null, not a reference.
- Salesforce's "(Sample)" campaigns with currency 000 are set aside with their own
  rule, outside the quarantine share.

The facts and marts of the real sample org are checked against its export in
test_build_salesforce.py, where that build already is.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from test_build_generic import PROJECT, dbt

from themodel.generator.cli import generate

REAL_EXPORTS = PROJECT.parent / "shared" / "data" / "real_exports"
SAMPLES = ("salesforce_sample_org", "fivetran_salesforce_connector")
ID_COLUMN = re.compile(r"(^id$|Id$|_id$)")
SALESFORCE_ID = re.compile(r"[0-9A-Za-z]{15}([0-9A-Za-z]{3})?")


def sample_folder(name: str) -> Path:
    folder = REAL_EXPORTS / name
    if not folder.is_dir():
        pytest.skip(f"real export samples not found: {folder} is missing")
    return folder


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def export_ids(folder: Path) -> set[str]:
    """Every Salesforce-shaped value of every id column (Id, AccountId, owner_id, ...)."""
    ids = set()
    for path in sorted(folder.glob("*.csv")):
        header, rows = read_rows(path)
        for column in filter(ID_COLUMN.search, header):
            ids |= {
                row[column].strip() for row in rows if SALESFORCE_ID.fullmatch(row[column].strip())
            }
    return ids


def test_computed_suffix_equals_the_export_suffix_of_every_real_18_character_id(tmp_path):
    """sf_id, compiled by dbt and run in DuckDB, on the first 15 characters of each
    18-character id of both real samples gives back the id as the export wrote it;
    the 15 characters and the 18 give one key."""
    written = set()
    for name in SAMPLES:
        written |= {i for i in export_ids(sample_folder(name)) if len(i) == 18}
    assert len(written) == 290  # 18 accounts, 36 deals, ... and the connector's ids
    result = dbt(
        [
            "compile",
            "--quiet",
            "--inline",
            "select written, {{ sf_id('raw_id') }} as id_key from ids",
        ],
        tmp_path / "compile.duckdb",
        tmp_path,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect() as con:
        con.execute("create table ids (written varchar, raw_id varchar)")
        con.executemany(
            "insert into ids values (?, ?)",
            [(i, i) for i in written]
            + [(i, i[:15]) for i in written]
            + [(i, f" {i} ") for i in written],
        )
        keys = con.execute(result.stdout).fetchall()
    assert len(keys) == 3 * len(written)
    wrong = [(w, k) for w, k in keys if w != k]
    assert wrong == []


def test_empty_lookup_id_is_null_in_facts_not_an_orphan(tmp_path):
    """The real sample org's Opportunity.csv with 000000000000000AAA (Salesforce's
    empty lookup) as AccountId on three deals: they stay, with no account."""
    exports = tmp_path / "exports"
    shutil.copytree(sample_folder("salesforce_sample_org"), exports)
    header, rows = read_rows(exports / "Opportunity.csv")
    emptied = {row["Id"] for row in rows[:3]}
    for row in rows[:3]:
        row["AccountId"] = "000000000000000AAA"
    write_rows(exports / "Opportunity.csv", header, rows)
    database = tmp_path / "warehouse.duckdb"
    # its Lead.csv has no CreatedDate: every lead is quarantined, as in the plain sample
    result = dbt(
        ["build"], database, exports, tmp_path, crm_source="salesforce", quarantine_max_share="1"
    )
    assert result.returncode == 0, result.stdout[-5000:]
    with duckdb.connect(str(database), read_only=True) as con:
        accounts = dict(
            con.execute("select opportunity_id, account_id from facts.fct_opportunities").fetchall()
        )
        quarantined = con.execute(
            "select count(*) from quarantine.quarantined_rows where entity = 'opportunities'"
        ).fetchone()[0]
        placeholder = con.execute(
            "select count(*) from facts.fct_opportunities"
            " where '000000000000000AAA' in (account_id, lead_id)"
        ).fetchone()[0]
    assert len(accounts) == 36 and quarantined == 0 and placeholder == 0
    assert {i for i, account in accounts.items() if account is None} == emptied


SAMPLE_CAMPAIGNS = (
    "Sample Campaign (Sample)",
    "Sample Webinar (Sample)",
    "Sample Trade Show (Sample)",
)


def test_sample_campaigns_are_set_aside_outside_the_quarantine_share(tmp_path):
    """The demo Salesforce export plus Salesforce's three "(Sample)" campaigns with
    currency 000: 3 of 51 campaigns (5.9%) would break the 5% share as
    unknown_currency. They are set aside as sample_campaign and the build passes;
    a campaign with currency 000 and an ordinary name is still distrusted."""
    exports = tmp_path / "exports"
    generate(1, 42, exports, export_format="salesforce")
    header, rows = read_rows(exports / "Campaign.csv")
    assert len(rows) == 48
    template = dict(rows[0], ActualCost="", CurrencyIsoCode="000", Type="Other")
    added = [
        dict(template, Id=f"701Dm00000SAMP{n}", Name=name)
        for n, name in enumerate(SAMPLE_CAMPAIGNS, 1)
    ] + [dict(template, Id="701Dm00000BAD01", Name="Trade show without currency")]
    write_rows(exports / "Campaign.csv", header, rows + added)
    database = tmp_path / "warehouse.duckdb"
    result = dbt(["build"], database, exports, tmp_path, crm_source="salesforce")
    assert result.returncode == 0, result.stdout[-5000:]
    with duckdb.connect(str(database), read_only=True) as con:
        accounting = con.execute(
            "select raw_rows, staged_rows, quarantined_rows, set_aside_rows, quarantined_share"
            " from quarantine.row_accounting where entity = 'campaigns'"
        ).fetchone()
        rules = con.execute(
            "select rule, count(*) from quarantine.quarantined_rows"
            " where entity = 'campaigns' group by 1"
        ).fetchall()
    assert accounting[:4] == (52, 48, 4, 3)
    assert accounting[4] == pytest.approx(1 / 52)
    assert dict(rules) == {"sample_campaign": 3, "unknown_currency": 1}
