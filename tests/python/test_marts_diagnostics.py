"""The diagnostics marts against the demo company's planted story (truth.json):
our win rate against the competitor that appears in month 15, and the best AE who
leaves in month 20 marked as departed with nothing credited after the departure.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import duckdb
import pytest
from test_build_generic import build_up_to, dbt

from themodel.generator.cli import generate


@pytest.fixture(scope="module")
def warehouse(demo_build, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the shared fresh build of the demo company (dbt docs opens it to write)."""
    work = tmp_path_factory.mktemp("diagnostics")
    database = work / "warehouse.duckdb"
    shutil.copy(demo_build.database, database)
    truth = json.loads((demo_build.exports / "truth.json").read_text(encoding="utf-8"))
    return database, demo_build.exports, work, truth


@pytest.fixture
def built(warehouse):
    database, _, _, truth = warehouse
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, truth


def test_win_rate_against_the_new_competitor_matches_the_truth(built):
    con, truth = built
    story = truth["story"]["competitor"]
    closed, won = con.execute(
        "select sum(closed_count), sum(won_count) from marts.new_business_competitors"
        " where segment = '_all' and competitor = ?",
        [story["name"]],
    ).fetchone()
    assert (closed, won) == (story["contested_closed"], story["contested_won"])
    assert won / closed == pytest.approx(story["our_win_rate_when_contested"], abs=1e-6)
    # the competitor first decides deals in the quarter it appears (2025-Q1)
    first_quarter = con.execute(
        "select min(quarter) from marts.new_business_competitors where competitor = ?",
        [story["name"]],
    ).fetchone()[0]
    assert str(first_quarter) == "2025-01-01"
    # it wins most of what it contests: our rate is far below the other competitors'
    assert won / closed < story["our_win_rate_vs_other_competitors"] / 2


def test_departed_ae_is_marked_with_no_contribution_after_the_departure_quarter(built):
    con, truth = built
    story = truth["story"]["departed_ae"]
    departed_at = datetime.fromisoformat(story["departed_at"].replace("Z", "+00:00"))
    departure_quarter = f"{departed_at.year}-{3 * ((departed_at.month - 1) // 3) + 1:02d}-01"
    rows = con.execute(
        "select cast(quarter as varchar), is_departed, won_count, won_amount, won_amount_share"
        " from marts.new_business_ae_contribution where user_id = ? order by quarter",
        [story["user_id"]],
    ).fetchall()
    after = [row for row in rows if row[0] > departure_quarter]
    before = [row for row in rows if row[0] < departure_quarter]
    at = [row for row in rows if row[0] == departure_quarter]
    assert after, "the departed AE keeps rows after the departure quarter"
    assert all(is_departed for _, is_departed, *_ in after + at)
    assert not any(is_departed for _, is_departed, *_ in before)
    assert all(won == 0 and amount == 0 and share == 0 for _, _, won, amount, share in after)
    assert sum(won for _, _, won, _, _ in rows) == story["won_before_departure"]
    # the best AE: the most wins of all AEs before leaving
    best = con.execute(
        "select user_id from marts.new_business_ae_contribution"
        " group by user_id order by sum(won_count) desc limit 1"
    ).fetchone()[0]
    assert best == story["user_id"]


def test_departed_ae_open_deals_move_to_other_owners_in_the_forecast_pipeline(tmp_path):
    """The day before the best AE leaves, the forecast pipeline shows the deals the
    generator reassigns under that AE; the day after, every one of them still open
    belongs to somebody else, and the departed AE owns nothing."""
    exports = tmp_path / "exports"
    truth = generate(1, 42, exports)
    story = truth["story"]["departed_ae"]
    reassigned = sorted(story["reassigned_opportunity_ids"])
    database = tmp_path / "w.duckdb"
    owners = {}
    for as_of in ("2025-08-14 12:00:00", "2025-08-16 12:00:00"):
        build_up_to("+forecast_pipeline", database, exports, tmp_path, as_of_date=as_of)
        with duckdb.connect(str(database), read_only=True) as con:
            owners[as_of[:10]] = dict(
                con.execute(
                    "select opportunity_id, owner_id from marts.forecast_pipeline"
                ).fetchall()
            )
    before, after = owners["2025-08-14"], owners["2025-08-16"]
    assert sorted(o for o, owner in before.items() if owner == story["user_id"]) == reassigned
    assert story["user_id"] not in after.values()
    moved = [o for o in reassigned if o in after]
    assert moved, "some reassigned deals are still open the day after"
    assert all(after[o] != story["user_id"] for o in moved)


def test_docs_site_documents_every_mart_and_the_dashboards_that_read_them(warehouse):
    """`dbt docs generate` (what `make docs` runs) works on the built warehouse: the
    catalog holds every mart with its columns, every mart column has a description,
    and every mart is read by at least one exposure."""
    database, exports, work, _ = warehouse
    result = dbt(["docs", "generate", "--static"], database, exports, work)
    assert result.returncode == 0, result.stdout[-5000:]
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    catalog = json.loads((work / "target" / "catalog.json").read_text())
    assert (work / "target" / "static_index.html").stat().st_size > 100_000
    marts = {
        node["unique_id"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    assert len(marts) >= 14
    for unique_id, node in marts.items():
        columns = catalog["nodes"][unique_id]["columns"]
        assert set(columns) == set(node["columns"]), unique_id
        assert all(column["description"] for column in node["columns"].values()), unique_id
    read = {
        ref
        for exposure in manifest["exposures"].values()
        for ref in exposure["depends_on"]["nodes"]
    }
    assert set(marts) <= read, sorted(set(marts) - read)
