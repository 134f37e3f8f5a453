"""vars business_time_zone and fiscal_year_start_month on a real build.

The demo company built with its days cut in Asia/Seoul (UTC+9) and a fiscal year
starting in April: every month and quarter in the marts must be the one Python
computes from the facts' UTC timestamps and days (zoneinfo, its own fiscal
arithmetic), and the *_at columns must stay UTC. The defaults' build is the
shared demo build, whose marts scripts/marts_snapshot.py compares with the
previous version's. A name that is no time zone stops the build.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from test_build_generic import dbt

from themodel.generator.cli import generate

ZONE = "Asia/Seoul"
FIRST_MONTH = 4


def local_day(at: datetime, zone: str = ZONE) -> date:
    """The day a naive UTC timestamp falls on in the zone."""
    return at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).date()


def fiscal_quarter_start(day: date, first_month: int = FIRST_MONTH) -> date:
    months_in = (day.month - first_month) % 3
    index = day.year * 12 + day.month - 1 - months_in
    return date(index // 12, index % 12 + 1, 1)


def fiscal_year_and_quarter(quarter: date, first_month: int = FIRST_MONTH) -> tuple[int, int]:
    """(fiscal year, as the calendar year it ends in; quarter number 1 to 4)."""
    months_in = (quarter.month - first_month) % 12
    year = quarter.year + (1 if first_month > 1 and quarter.month >= first_month else 0)
    return year, months_in // 3 + 1


def test_the_hand_computed_april_boundary():
    """The test's own arithmetic, against the dates worked out by hand."""
    assert fiscal_quarter_start(date(2025, 3, 31)) == date(2025, 1, 1)
    assert fiscal_year_and_quarter(date(2025, 1, 1)) == (2025, 4)
    assert fiscal_quarter_start(date(2025, 4, 1)) == date(2025, 4, 1)
    assert fiscal_year_and_quarter(date(2025, 4, 1)) == (2026, 1)
    assert fiscal_quarter_start(date(2025, 1, 31), 2) == date(2024, 11, 1)
    assert fiscal_year_and_quarter(date(2024, 11, 1), 2) == (2025, 4)
    assert fiscal_year_and_quarter(date(2025, 7, 1), 1) == (2025, 3)
    assert local_day(datetime(2025, 3, 31, 20)) == date(2025, 4, 1)
    assert local_day(datetime(2025, 3, 31, 20), "UTC") == date(2025, 3, 31)


@pytest.fixture(scope="module")
def seoul(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("business_calendar")
    generate(1, 42, work / "exports")
    database = work / "warehouse.duckdb"
    result = dbt(
        ["build"],
        database,
        work / "exports",
        work,
        business_time_zone=ZONE,
        fiscal_year_start_month=str(FIRST_MONTH),
    )
    assert result.returncode == 0, result.stdout[-5000:]
    return database


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_as_of_date_is_the_business_day_of_the_as_of_moment(seoul: Path):
    [(as_of_at, as_of_date)] = query(
        seoul, "select as_of_at, as_of_date from intermediate.int_as_of_date"
    )
    assert as_of_date == local_day(as_of_at)


def test_leads_count_in_the_month_of_their_seoul_day(seoul: Path):
    leads = query(seoul, "select created_at from facts.fct_leads")
    expected = Counter(local_day(at).replace(day=1) for (at,) in leads)
    # the demo has leads created late in a UTC month's last day: the zone moves them
    moved = [at for (at,) in leads if local_day(at).month != at.month]
    assert moved, "no lead crosses a month boundary in Seoul: the test would prove nothing"
    built = dict(
        query(
            seoul, "select month, sum(leads_count) from marts.marketing_kpis_monthly group by month"
        )
    )
    assert {month: int(count) for month, count in built.items() if count} == dict(expected)


def test_handoffs_count_in_the_month_of_their_seoul_day(seoul: Path):
    """inside_sales_kpis_monthly's team row counts hand-offs by the month of their Seoul day."""
    handoffs = query(
        seoul,
        "select handed_off_at from facts.fct_handoffs where opportunity_type = 'new_business'",
    )
    expected = Counter(local_day(at).replace(day=1) for (at,) in handoffs)
    built = query(
        seoul,
        "select month, opportunities_created_count from marts.inside_sales_kpis_monthly"
        " where user_id = '_team'",
    )
    assert {month: int(count) for month, count in built if count} == dict(expected)


def test_deals_decided_by_their_history_count_on_the_seoul_day(seoul: Path):
    deals = query(
        seoul,
        "select closed_at, decided_on from facts.fct_opportunities"
        " where decided_on_source = 'history_timestamp'",
    )
    assert deals
    assert all(decided_on == local_day(closed_at) for closed_at, decided_on in deals)


def test_quarters_are_april_fiscal_quarters_of_the_facts(seoul: Path):
    won = query(
        seoul,
        "select decided_on from facts.fct_opportunities"
        " where opportunity_type = 'new_business' and is_won",
    )
    expected = Counter(fiscal_quarter_start(day) for (day,) in won)
    rows = query(
        seoul,
        "select quarter, fiscal_year, fiscal_quarter, won_count from marts.new_business_diagnostics"
        " where segment = '_all'",
    )
    assert {quarter: count for quarter, _, _, count in rows if count} == dict(expected)
    assert all(
        (year, number) == fiscal_year_and_quarter(quarter) for quarter, year, number, _ in rows
    )
    # the first quarter of 2025 closes fiscal year 2025; April opens 2026
    labels = {quarter: (year, number) for quarter, year, number, _ in rows}
    assert labels.get(date(2025, 1, 1)) == (2025, 4)
    assert labels.get(date(2025, 4, 1)) == (2026, 1)
    for mart in (
        "forecast_inputs_quarterly",
        "new_business_ae_contribution",
        "new_business_competitors",
    ):
        found = query(
            seoul, f"select distinct quarter, fiscal_year, fiscal_quarter from marts.{mart}"
        )
        assert found, mart
        assert all(
            (year, number) == fiscal_year_and_quarter(quarter) for quarter, year, number in found
        ), mart


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("business_time_zone", "Asia/Seul", ["business_time_zone", "Asia/Seul", "IANA"]),
        ("business_time_zone", "KST", ["business_time_zone", "KST", "IANA"]),
        ("fiscal_year_start_month", "13", ["fiscal_year_start_month", "13", "1 (January"]),
    ],
)
def test_a_setting_that_is_no_zone_or_month_stops_the_build(
    tmp_path: Path, variable: str, value: str, words
):
    result = dbt(
        ["parse"], tmp_path / "x.duckdb", tmp_path / "exports", tmp_path, **{variable: value}
    )
    assert result.returncode != 0
    for word in words:
        assert word in result.stdout, result.stdout[-3000:]
