"""Currencies from the export: Salesforce CurrencyType and DatedConversionRate (the
real currency tables of ../shared/data/real_exports/salesforce_currency_tables on
the real sample org), the reporting currency taken from the org's corporate
currency, deals without a currency, and the demo built in two reporting currencies.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from test_build_generic import PROJECT, dbt

REAL_EXPORTS = PROJECT.parent / "shared" / "data" / "real_exports"
SAMPLE_ORG = REAL_EXPORTS / "salesforce_sample_org"
CURRENCY_TABLES = REAL_EXPORTS / "salesforce_currency_tables"
# the sample org's deals get these currencies in turn; MXN is not in the seed
DEAL_CURRENCIES = ["USD", "EUR", "CAD", "JPY", "MXN"]
MXN_PER_USD = "19.45"  # the extra CurrencyType row the fixture adds


def need_samples() -> None:
    for folder in (SAMPLE_ORG, CURRENCY_TABLES):
        if not folder.is_dir():
            pytest.skip(f"real export samples not found: {folder} is missing")


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def multi_currency_org(folder: Path, dated: str, close_dates: dict[int, str] | None = None) -> None:
    """The real sample org as a multi-currency org: its deals in five currencies (the
    last deal with an empty CurrencyIsoCode), the real CurrencyType plus MXN, and a
    DatedConversionRate that is `dated`: 'empty' (header only), 'csv' or 'parquet'
    (the real dated rates). close_dates moves deals (by row index) to other days."""
    shutil.copytree(SAMPLE_ORG, folder)
    header, deals = read_rows(folder / "Opportunity.csv")
    for index, deal in enumerate(deals):
        deal["CurrencyIsoCode"] = DEAL_CURRENCIES[index % len(DEAL_CURRENCIES)]
        if close_dates and index in close_dates:
            deal["CloseDate"] = close_dates[index]
    deals[-1]["CurrencyIsoCode"] = ""
    write_rows(folder / "Opportunity.csv", [*header, "CurrencyIsoCode"], deals)
    header, types = read_rows(CURRENCY_TABLES / "CurrencyType.derived.csv")
    extra = dict(types[0], Id="01L8a000000ZCsTEAW", IsoCode="MXN", ConversionRate=MXN_PER_USD)
    write_rows(folder / "CurrencyType.csv", header, [*types, extra])
    dated_header, _ = read_rows(CURRENCY_TABLES / "DatedConversionRate.derived.csv")
    if dated == "empty":
        write_rows(folder / "DatedConversionRate.csv", dated_header, [])
    elif dated == "csv":
        shutil.copy(
            CURRENCY_TABLES / "DatedConversionRate.derived.csv", folder / "DatedConversionRate.csv"
        )
    else:
        shutil.copy(
            CURRENCY_TABLES / "DatedConversionRate.parquet", folder / "DatedConversionRate.parquet"
        )


def build_salesforce(work: Path, exports: Path, **variables: str) -> tuple[Path, str]:
    database = work / "warehouse.duckdb"
    # the sample's Lead.csv has no CreatedDate: every lead is quarantined, on purpose
    result = dbt(
        ["build"],
        database,
        exports,
        work,
        crm_source="salesforce",
        quarantine_max_share="1",
        **variables,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    return database, result.stdout


@pytest.fixture(scope="module")
def static_rates_org(tmp_path_factory: pytest.TempPathFactory):
    """Issue 17's case: four currencies and more, CurrencyType, an empty
    DatedConversionRate.csv, no seed edits and no reporting_currency set."""
    need_samples()
    work = tmp_path_factory.mktemp("static_rates")
    multi_currency_org(work / "exports", dated="empty")
    database, output = build_salesforce(work, work / "exports")
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, output, work / "exports"


def test_static_rates_convert_every_deal_into_the_corporate_currency(static_rates_org):
    con, _, exports = static_rates_org
    _, types = read_rows(exports / "CurrencyType.csv")
    per_usd = {row["IsoCode"]: float(row["ConversionRate"]) for row in types}
    _, deals = read_rows(exports / "Opportunity.csv")
    expected = {
        deal["Id"]: float(deal["Amount"]) / per_usd[deal["CurrencyIsoCode"] or "USD"]
        for deal in deals
        if deal["Amount"]
    }
    found = dict(
        con.execute(
            "select opportunity_id, amount_reporting from staging.stg_crm__opportunities"
            " where amount is not null"
        ).fetchall()
    )
    assert set(found) == set(expected)
    off = {
        key: (float(found[key]), value)
        for key, value in expected.items()
        if abs(float(found[key]) - value) > 0.01
    }
    assert not off, f"amount_reporting not within a cent of Amount / ConversionRate: {off}"
    assert {
        row[0]
        for row in con.execute(
            "select distinct currency from staging.stg_crm__opportunities"
        ).fetchall()
    } == set(DEAL_CURRENCIES)
    quarantined = con.execute(
        "select count(*) from quarantine.quarantined_rows where entity = 'opportunities'"
    ).fetchone()[0]
    assert quarantined == 0


def test_reporting_currency_defaults_to_the_corporate_currency(static_rates_org):
    con, _, _ = static_rates_org
    labels = {
        row[0]
        for table in (
            "facts.fct_opportunities",
            "marts.field_sales_kpis_monthly",
            "marts.pipeline_waterfall",
        )
        for row in con.execute(f"select distinct reporting_currency from {table}").fetchall()
    }
    assert labels == {"USD"}
    sources = dict(
        con.execute("select currency, rate_source from staging.stg_crm__exchange_rates").fetchall()
    )
    assert sources == {
        "USD": "reporting_currency",
        "EUR": "static",
        "CAD": "static",
        "JPY": "static",
        "MXN": "static",
        # the seed's base: KRW converts to USD through the seed's USD rate (KRW per USD)
        "KRW": "base",
    }
    krw = con.execute(
        "select rate from staging.stg_crm__exchange_rates where currency = 'KRW'"
    ).fetchone()[0]
    assert krw == pytest.approx(1 / 1350)


def test_a_deal_without_currency_takes_the_corporate_currency_and_the_build_says_so(
    static_rates_org,
):
    con, output, exports = static_rates_org
    _, deals = read_rows(exports / "Opportunity.csv")
    defaulted = con.execute(
        "select opportunity_id, currency from staging.stg_crm__opportunities"
        " where is_currency_defaulted"
    ).fetchall()
    assert defaulted == [(deals[-1]["Id"], "USD")]
    messages = [line for line in output.splitlines() if "Currency:" in line]
    assert len(messages) == 1, messages
    assert f"1 of {len(deals)} opportunities have no currency" in messages[0]
    assert "taken to be in USD, the corporate currency" in messages[0]


@pytest.mark.parametrize("dated", ["csv", "parquet"])
def test_dated_rates_win_over_static_ones_and_the_later_start_wins_on_overlaps(tmp_path, dated):
    need_samples()
    # closed deals convert at their close date: before, inside and on the
    # one-day overlaps of the real dated periods (2022-09-01 and 2022-10-01)
    days = {0: "08/15/22", 1: "09/01/22", 2: "09/15/22", 3: "10/01/22"}
    multi_currency_org(
        tmp_path / "exports", dated=dated, close_dates={i: days[i % 4] for i in range(20)}
    )
    database, _ = build_salesforce(tmp_path, tmp_path / "exports")
    with duckdb.connect(str(database), read_only=True) as con:

        def per_usd(currency: str, day: str) -> float:
            rate = con.execute(
                "select rate from staging.stg_crm__exchange_rates where currency = ?"
                " and rate_date <= cast(? as date)"
                " and (valid_to_date > cast(? as date) or valid_to_date is null)",
                [currency, day, day],
            ).fetchall()
            assert len(rate) == 1, f"{currency} on {day}: {rate}"
            return round(1 / rate[0][0], 6)

        # dated periods (StartDate, NextStartDate): 0001-01-01..2022-09-02,
        # 2022-09-01..2022-10-02, 2022-10-01..9999-12-31
        assert [
            per_usd("EUR", day) for day in ("2022-08-31", "2022-09-01", "2022-09-30", "2022-10-01")
        ] == [
            1.04,
            1.06,
            1.06,
            1.02,
        ]
        assert [per_usd("JPY", day) for day in ("2022-08-31", "2022-09-01", "2022-10-01")] == [
            147.07,
            148.07,
            149.07,
        ]
        assert [per_usd("CAD", day) for day in ("2000-01-01", "2022-09-01", "2030-01-01")] == [
            1.36,
            1.46,
            1.38,
        ]
        # MXN has no dated rate: its static CurrencyType rate holds every day
        assert per_usd("MXN", "2022-09-01") == float(MXN_PER_USD)
        sources = dict(
            con.execute(
                "select currency, max(rate_source) from staging.stg_crm__exchange_rates group by 1"
            ).fetchall()
        )
        assert sources == {
            "USD": "reporting_currency",
            "EUR": "dated",
            "CAD": "dated",
            "JPY": "dated",
            "MXN": "static",
            "KRW": "base",
        }
        # a closed EUR deal closed on the overlap day converts at the later period's rate
        _, deals = read_rows(tmp_path / "exports" / "Opportunity.csv")
        closed = {
            deal["Id"]: deal
            for deal in deals
            if deal["CurrencyIsoCode"] == "EUR"
            and deal["CloseDate"] == "09/01/22"
            and deal["Amount"]
        }
        assert closed, "the fixture has no EUR deal closing on 2022-09-01"
        for key, deal in closed.items():
            found = con.execute(
                "select amount_reporting from staging.stg_crm__opportunities"
                " where opportunity_id = ?",
                [key],
            ).fetchone()[0]
            assert abs(float(found) - float(deal["Amount"]) / 1.06) <= 0.01


def test_demo_builds_in_usd_and_converts_consistently_with_krw(demo_build, tmp_path):
    """Every unit test passes whatever the reporting currency (dbt build runs them
    all), and each deal's USD amount is its KRW amount over the KRW per USD rate
    of the same day."""
    database = tmp_path / "usd.duckdb"
    result = dbt(["build"], database, demo_build.exports, tmp_path, reporting_currency="USD")
    assert result.returncode == 0, result.stdout[-5000:]
    query = """
        with deals as (
            select
                opportunity_id,
                amount_reporting,
                coalesce(close_date, cast(created_at as date)) as rate_day
            from staging.stg_crm__opportunities
            where amount is not null
        )
        select deals.opportunity_id, deals.amount_reporting, rates.rate
        from deals
        left join staging.stg_crm__exchange_rates as rates
            on rates.currency = 'USD'
            and rates.rate_date <= deals.rate_day
            and (rates.valid_to_date > deals.rate_day or rates.valid_to_date is null)
    """
    with duckdb.connect(str(demo_build.database), read_only=True) as krw:
        in_krw = {key: (float(amount), rate) for key, amount, rate in krw.execute(query).fetchall()}
        assert krw.execute(
            "select distinct reporting_currency from facts.fct_opportunities"
        ).fetchall() == [("KRW",)]
    with duckdb.connect(str(database), read_only=True) as usd:
        in_usd = dict(
            usd.execute(
                "select opportunity_id, amount_reporting from staging.stg_crm__opportunities"
                " where amount is not null"
            ).fetchall()
        )
        labels = {
            row[0]
            for table in ("facts.fct_opportunities", "marts.field_sales_kpis_monthly")
            for row in usd.execute(f"select distinct reporting_currency from {table}").fetchall()
        }
        won = usd.execute(
            "select sum(won_amount_reporting) from facts.fct_opportunities"
        ).fetchone()[0]
    assert labels == {"USD"}
    assert set(in_usd) == set(in_krw) and len(in_usd) > 100
    off = {
        key: (float(in_usd[key]), amount / rate)
        for key, (amount, rate) in in_krw.items()
        if abs(float(in_usd[key]) - amount / rate) > 0.01
    }
    assert not off, (
        f"USD amounts that are not the KRW amount / KRW per USD: {list(off.items())[:5]}"
    )
    assert 0 < won < 1e9


def test_a_windows_1252_multi_currency_export_builds_with_export_encoding_alone(tmp_path):
    """Issue 17's 'done when': a Data Export in Windows-1252 (bytes 0x80-0x9F in
    its text) with several currencies and an empty DatedConversionRate.csv builds
    with export_encoding and no seed edits; amounts are within a cent of
    Amount / ConversionRate in the corporate currency."""
    need_samples()
    exports = tmp_path / "exports"
    multi_currency_org(exports, dated="empty")
    header, accounts = read_rows(exports / "Account.csv")
    accounts[0]["Name"] = "Caf\u00e9 \u201cNord\u201d \u2013 \u20ac Partners"
    write_rows(exports / "Account.csv", header, accounts)
    for path in exports.glob("*.csv"):
        path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    assert b"\x93Nord\x94 \x96 \x80" in (exports / "Account.csv").read_bytes()

    # the sample's leads have no CreatedDate: their quarantine is the sample's, not the encoding's
    database, _ = build_salesforce(tmp_path, exports, export_encoding="cp1252")
    _, types = read_rows_cp1252(exports / "CurrencyType.csv")
    per_usd = {row["IsoCode"]: float(row["ConversionRate"]) for row in types}
    _, deals = read_rows_cp1252(exports / "Opportunity.csv")
    expected = {
        deal["Id"]: float(deal["Amount"]) / per_usd[deal["CurrencyIsoCode"] or "USD"]
        for deal in deals
        if deal["Amount"]
    }
    with duckdb.connect(str(database), read_only=True) as con:
        found = dict(
            con.execute(
                "select opportunity_id, amount_reporting from staging.stg_crm__opportunities"
                " where amount is not null"
            ).fetchall()
        )
        names = {
            row[0]
            for row in con.execute("select account_name from staging.stg_crm__accounts").fetchall()
        }
        labels = con.execute(
            "select distinct reporting_currency from facts.fct_opportunities"
        ).fetchall()
    assert set(found) == set(expected)
    assert all(abs(float(found[key]) - value) <= 0.01 for key, value in expected.items())
    assert accounts[0]["Name"] in names
    assert labels == [("USD",)]


def read_rows_cp1252(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="cp1252") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)
