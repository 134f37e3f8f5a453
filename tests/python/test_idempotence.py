"""Idempotence: the warehouse a daily job keeps gives the marts of a fresh build.

Day one's exports are the demo company as its CRM stood a day before the
as-of moment (events after it removed, deals' fields set back to their values
then); day two's are the full demo exports. Building day one, then day two on
the same warehouse (incremental daily pipeline and snapshots kept) must give
the marts and the daily pipeline of a fresh build of day two; building day two
once more must change nothing.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from test_bad_input import marts, read_rows, write_rows
from test_build_generic import dbt
from test_recompute import STAGES, label, parse_date, parse_timestamp

EVENT_TIMES = {
    "leads": "created_at",
    "opportunities": "created_at",
    "activities": "occurred_at",
    "lead_status_events": "changed_at",
    "opportunity_changes": "changed_at",
}
FIELDS = ["stage", "amount", "close_date", "owner_id", "forecast_category"]


def after(text: str, cut: datetime) -> bool:
    moment = parse_timestamp(text)
    return moment is not None and moment > cut


def export_as_of(full: Path, day_one: Path, cut: datetime) -> None:
    """The exports as they would have been written at `cut`."""
    shutil.copytree(full, day_one)
    for entity, column in EVENT_TIMES.items():
        header, rows = read_rows(full, entity)
        write_rows(day_one, entity, header, [r for r in rows if not after(r[column], cut)])
    for entity, column in (("contracts", "start_date"), ("exchange_rates", "rate_date")):
        header, rows = read_rows(full, entity)
        kept = [r for r in rows if (parse_date(r[column]) or cut) <= cut]
        write_rows(day_one, entity, header, kept)

    # a deal's fields as they were at the cut: the old value of its first later change
    _, changes = read_rows(full, "opportunity_changes")
    changes = sorted(
        (parse_timestamp(c["changed_at"]), n, c) for n, c in enumerate(changes) if c["changed_at"]
    )
    earlier: dict[tuple[str, str], str] = {}
    last_change: dict[str, datetime] = {}
    for changed_at, _, change in changes:
        deal, field = change["opportunity_id"].strip(), label(change["field"])
        if changed_at > cut:
            earlier.setdefault((deal, field), change["old_value"])
        else:
            last_change[deal] = changed_at
    header, rows = read_rows(day_one, "opportunities")
    for row in rows:
        deal = row["opportunity_id"].strip()
        for field in FIELDS:
            if (deal, field) in earlier:
                row[field] = earlier[(deal, field)]
        stage = STAGES.get(label(row["stage"]) or "")
        row["is_closed"] = str(stage in {"closed_won", "closed_lost", "renewed", "churned"}).lower()
        row["is_won"] = str(stage in {"closed_won", "renewed"}).lower()
        if after(row["modified_at"], cut):
            row["modified_at"] = last_change.get(deal, cut).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_rows(day_one, "opportunities", header, rows)


def pipeline(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select * from intermediate.int_pipeline_daily order by opportunity_id, pipeline_date"
        ).fetchall()


@pytest.fixture(scope="module")
def daily_job(demo_build, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("daily_job")
    with duckdb.connect(str(demo_build.database), read_only=True) as con:
        (as_of,) = con.execute("select as_of_at from intermediate.int_as_of_date").fetchone()
    cut = datetime.combine(as_of.date(), datetime.min.time()) - timedelta(seconds=1)
    # one export folder, as a daily job keeps it: day one's files, then day two's over them
    exports = work / "exports"
    export_as_of(demo_build.exports, exports, cut)
    database = work / "warehouse.duckdb"
    one = dbt(["build"], database, exports, work)
    assert one.returncode == 0, one.stdout[-5000:]
    day_one_pipeline = pipeline(database)
    with duckdb.connect(str(database), read_only=True) as con:
        (day_one_last_day,) = con.execute(
            "select max(pipeline_date) from intermediate.int_pipeline_daily"
        ).fetchone()
    shutil.rmtree(exports)
    shutil.copytree(demo_build.exports, exports)
    two = dbt(["build"], database, exports, work)
    assert two.returncode == 0, two.stdout[-5000:]
    after_day_two = (marts(database), pipeline(database))
    again = dbt(["run"], database, exports, work)
    assert again.returncode == 0, again.stdout[-5000:]
    return {
        "cut": cut,
        "day_one_pipeline": day_one_pipeline,
        "day_one_last_day": day_one_last_day,
        "day_two": after_day_two,
        "again": (marts(database), pipeline(database)),
        "fresh": (marts(demo_build.database), pipeline(demo_build.database)),
    }


def test_day_one_ends_at_the_cut(daily_job):
    assert daily_job["day_one_last_day"] == daily_job["cut"].date()


def test_a_new_day_of_exports_built_incrementally_equals_a_fresh_build(daily_job):
    marts_two, pipeline_two = daily_job["day_two"]
    marts_fresh, pipeline_fresh = daily_job["fresh"]
    assert len(pipeline_two) == len(pipeline_fresh) > len(daily_job["day_one_pipeline"])
    assert pipeline_two == pipeline_fresh
    assert marts_two.keys() == marts_fresh.keys()
    for name, rows in marts_fresh.items():
        assert marts_two[name] == rows, name


def test_building_twice_changes_nothing(daily_job):
    marts_two, pipeline_two = daily_job["day_two"]
    marts_again, pipeline_again = daily_job["again"]
    assert pipeline_again == pipeline_two
    for name, rows in marts_two.items():
        assert marts_again[name] == rows, name
