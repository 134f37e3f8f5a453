"""History that agrees with itself (issue 18, point 3), on the demo exports.

Two won deals are changed in opportunity_changes.csv:
- the tied deal: its last two stage changes (Y -> X, X -> Closed Won) get the
  same second and come in reverse order in the file, with their change ids
  swapped too, so neither the file nor the ids tell their order;
- the contradicted deal: its closing change is missing, so its history ends in
  an open stage while its own record says Closed Won.

Both must be closed won in fct_opportunities and open neither in
forecast_pipeline nor in the daily pipeline after their win; only the
contradicted deal is flagged and named by the warning. One build of only the
models these need.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_build_generic import dbt

from themodel.generator.cli import generate


def won_deals_with_history(exports: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    deals = pd.read_csv(exports / "opportunities.csv", dtype=str)
    changes = pd.read_csv(exports / "opportunity_changes.csv", dtype=str, keep_default_na=False)
    won = deals[(deals["is_won"] == "true") & (deals["opportunity_type"] == "new_business")]
    stage = changes[changes["field"] == "stage"]
    # won a year before the export ends, after at least three stage changes
    counts = stage.groupby("opportunity_id").size()
    last_at = stage.groupby("opportunity_id")["changed_at"].max()
    chosen = won[
        won["opportunity_id"].map(counts).fillna(0).ge(3)
        & won["opportunity_id"].map(last_at).lt(stage["changed_at"].max()[:4] + "-01-01")
    ]
    return chosen.sort_values("opportunity_id"), changes


@pytest.fixture(scope="module")
def tied_build(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("history_ties")
    exports = work / "exports"
    generate(1, 42, exports)
    chosen, changes = won_deals_with_history(exports)

    def stage_rows(deal: str) -> pd.Index:
        rows = changes[(changes["opportunity_id"] == deal) & (changes["field"] == "stage")]
        return rows.sort_values("changed_at").index

    def chained(deal: str) -> bool:
        *_, before, closing = stage_rows(deal)
        return changes.loc[before, "new_value"] == changes.loc[closing, "old_value"]

    # the tied deal's last two changes form a chain, label for label
    tied_id = next(deal for deal in chosen["opportunity_id"] if chained(deal))
    contradicted_id = next(deal for deal in chosen["opportunity_id"] if deal != tied_id)
    *_, before, closing = stage_rows(tied_id)
    assert changes.loc[closing, "new_value"] == "Closed Won"
    changes.loc[before, "changed_at"] = changes.loc[closing, "changed_at"]
    swapped = changes.loc[[closing, before], "change_id"].to_numpy()
    changes.loc[[before, closing], "change_id"] = swapped
    # the closing change first in the file, the change before it right after
    order = [i for i in changes.index if i != before]
    order.insert(order.index(closing) + 1, before)
    changes = changes.loc[order]

    *_, contradicted_closing = stage_rows(contradicted_id)
    assert changes.loc[contradicted_closing, "new_value"] == "Closed Won"
    changes = changes.drop(index=contradicted_closing)
    changes.to_csv(exports / "opportunity_changes.csv", index=False)

    # the models only, then the one test that warns: the other tests run in every build
    database = work / "w.duckdb"
    built = dbt(
        ["build", "--select", "+forecast_pipeline", "--exclude-resource-type", "test", "unit_test"],
        database,
        exports,
        work,
    )
    assert built.returncode == 0, built.stdout[-3000:]
    warn_test = ["test", "--select", "test_name:history_agrees_with_record"]
    tested = dbt(warn_test, database, exports, work)
    assert tested.returncode == 0, tested.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, tested.stdout, tied_id, contradicted_id


def test_deals_are_closed_won_as_their_records_say(tied_build):
    con, _, tied_id, contradicted_id = tied_build
    facts = con.execute(
        """
        select opportunity_id, current_stage, is_closed, is_won, is_history_contradicted
        from facts.fct_opportunities where opportunity_id in (?, ?) order by opportunity_id
        """,
        [tied_id, contradicted_id],
    ).df()
    expected = pd.DataFrame(
        {
            "opportunity_id": [tied_id, contradicted_id],
            "current_stage": ["closed_won", "closed_won"],
            "is_closed": [True, True],
            "is_won": [True, True],
            # the tie is resolved by the chain: that history agrees with the record
            "is_history_contradicted": [False, True],
        }
    ).sort_values("opportunity_id", ignore_index=True)
    pd.testing.assert_frame_equal(facts, expected, check_dtype=False)
    # the tied deal's history: X entered before it was won, in the same second
    visits = con.execute(
        """
        select stage from intermediate.int_stage_intervals_reconstructed
        where entity_id = ? and not is_skipped order by visit_number
        """,
        [tied_id],
    ).fetchall()
    assert visits[-1] == ("closed_won",)
    assert ("closed_won",) not in visits[:-1]


def test_won_deals_are_open_neither_in_the_forecast_nor_the_daily_pipeline(tied_build):
    con, _, tied_id, contradicted_id = tied_build
    for deal in (tied_id, contradicted_id):
        # won on its record's close date at the latest
        (won_on,) = con.execute(
            """
            select coalesce(cast(won_at as date), close_date) from facts.fct_opportunities
            where opportunity_id = ?
            """,
            [deal],
        ).fetchone()
        (open_days,) = con.execute(
            """
            select count(*) from intermediate.int_pipeline_daily
            where opportunity_id = ? and pipeline_date >= ?
            """,
            [deal, won_on],
        ).fetchone()
        assert open_days == 0, deal
        (in_forecast,) = con.execute(
            "select count(*) from marts.forecast_pipeline where opportunity_id = ?", [deal]
        ).fetchone()
        assert in_forecast == 0, deal


def test_warning_names_the_contradicted_deal_only(tied_build):
    _, output, tied_id, contradicted_id = tied_build
    warned = [line for line in output.splitlines() if "History contradicted" in line]
    assert len(warned) == 1, output[-3000:]
    assert contradicted_id in warned[0] and "record: closed_won" in warned[0]
    assert "history_contradicts_record" in warned[0] and "Fix:" in warned[0]
    assert tied_id not in warned[0]
    assert "WARN 1 history_agrees_with_record_fct_opportunities" in output
