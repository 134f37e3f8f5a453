"""The semantic layer through MetricFlow's CLI on DuckDB: `mf validate-configs`
passes against the built warehouse, and metrics queried with `mf query` equal the
marts (the conversion metric is computed from the facts, the mart from its own SQL).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_build_generic import PROJECT
from test_report import built_warehouse

MF = str(Path(sys.executable).with_name("mf"))
DBT = str(Path(sys.executable).with_name("dbt"))


@pytest.fixture(scope="module")
def mf_project(tmp_path_factory: pytest.TempPathFactory):
    """mf reads <project>/target/semantic_manifest.json: a scratch project folder with
    the real dbt_project.yml and profiles.yml, so the repository's target/ is untouched."""
    work = tmp_path_factory.mktemp("mf")
    # mf opens the database to write: a copy, so tests reading the shared build in
    # other pytest-xdist workers meet no lock
    warehouse = work / "warehouse.duckdb"
    shutil.copy(built_warehouse(tmp_path_factory), warehouse)
    for name in ("dbt_project.yml", "profiles.yml"):
        (work / name).symlink_to(PROJECT / name)
    env = dict(
        os.environ,
        DBT_PROFILES_DIR=str(PROJECT),
        THE_MODEL_DUCKDB_PATH=str(warehouse),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
    )
    parse = subprocess.run(
        [DBT, "parse", "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert parse.returncode == 0, parse.stdout[-3000:]

    def mf(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [MF, *args], cwd=work, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )

    return mf, warehouse, work


def query(mf, work: Path, metrics: str) -> list[dict[str, str]]:
    out = work / f"{metrics.replace(',', '_')}.csv"
    by_month = ["--group-by", "metric_time__month"]
    result = mf("query", "--metrics", metrics, *by_month, "--csv", str(out))
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    with out.open() as handle:
        return list(csv.DictReader(handle))


def test_mf_validate_configs_passes_against_the_warehouse(mf_project):
    mf, _, _ = mf_project
    result = mf("validate-configs")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Successfully validated the semantics of built manifest (ERRORS: 0" in output
    assert "Successfully validated metrics against data warehouse (ERRORS: 0" in output


def test_leads_and_lead_to_opportunity_conversion_equal_the_marketing_mart(mf_project):
    mf, warehouse, work = mf_project
    rows = query(mf, work, "leads_acquired,lead_to_opportunity_conversion")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        mart = con.execute(
            "select strftime(month, '%Y-%m'), sum(leads_count),"
            " sum(opportunities_count) / sum(leads_count)"
            " from marts.marketing_kpis_monthly group by month having sum(leads_count) > 0"
        ).fetchall()
    expected = {month: (leads, rate) for month, leads, rate in mart}
    got = {
        row["metric_time__month"][:7]: (
            int(row["leads_acquired"]),
            float(row["lead_to_opportunity_conversion"]),
        )
        for row in rows
    }
    assert got.keys() == expected.keys() and len(got) >= 12
    for month, (leads, rate) in expected.items():
        assert got[month][0] == leads, month
        assert got[month][1] == pytest.approx(rate, abs=1e-9), month


def test_handoff_acceptance_rate_equals_the_inside_sales_team_row(mf_project):
    mf, warehouse, work = mf_project
    rows = query(mf, work, "handoff_acceptance_rate")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        mart = dict(
            con.execute(
                "select strftime(month, '%Y-%m'), handoff_acceptance_rate"
                " from marts.inside_sales_kpis_monthly"
                " where is_team_row and handoff_acceptance_rate is not null"
            ).fetchall()
        )
    got = {
        row["metric_time__month"][:7]: float(row["handoff_acceptance_rate"])
        for row in rows
        if row["handoff_acceptance_rate"]
    }
    assert got.keys() == mart.keys() and len(got) >= 12
    for month, rate in mart.items():
        assert got[month] == pytest.approx(rate, abs=1e-9), month


# The owner's name, team and role come from dim_users through the `owner` entity; a
# record without an owner, or whose owner has no users-file row, joins to nothing (null).
OWNER_JOIN = "left join facts.dim_users as users on users.user_id = facts.{owner}"
TEAM = "case when users.user_id is not null then coalesce(users.latest_team, 'unknown') end"

# metric, group-by item, the same figure from the facts: (key, value) rows
BY_DIMENSION = {
    "leads by channel": (
        "leads_acquired",
        "lead__channel",
        "select channel, count(*) from facts.fct_leads group by 1",
    ),
    "leads by owner": (
        "leads_acquired",
        "owner",
        "select owner_id, count(*) from facts.fct_leads group by 1",
    ),
    "leads by owner's team": (
        "leads_acquired",
        "owner__team",
        f"select {TEAM}, count(*) from facts.fct_leads as facts"
        f" {OWNER_JOIN.format(owner='owner_id')} group by 1",
    ),
    "opportunities by opportunity type": (
        "opportunities_of_every_type",
        "opportunity__opportunity_type",
        "select opportunity_type, count(*) from facts.fct_opportunities group by 1",
    ),
    "opportunities by segment": (
        "opportunities_of_every_type",
        "opportunity__segment",
        "select segment, count(*) from facts.fct_opportunities group by 1",
    ),
    "opportunities by owner's name": (
        "opportunities_of_every_type",
        "owner__owner_name",
        "select users.full_name, count(*) from facts.fct_opportunities as facts"
        f" {OWNER_JOIN.format(owner='owner_id')} group by 1",
    ),
    "opportunities by owner's team": (
        "opportunities_of_every_type",
        "owner__team",
        f"select {TEAM}, count(*) from facts.fct_opportunities as facts"
        f" {OWNER_JOIN.format(owner='owner_id')} group by 1",
    ),
    "contracts due by owner (CSM)": (
        "contracts_due",
        "owner",
        "select csm_id, count(*) from facts.fct_contract_renewals group by 1",
    ),
    "contracts due by owner's name": (
        "contracts_due",
        "owner__owner_name",
        "select users.full_name, count(*) from facts.fct_contract_renewals as facts"
        f" {OWNER_JOIN.format(owner='csm_id')} group by 1",
    ),
}


@pytest.mark.parametrize("case", list(BY_DIMENSION))
def test_a_metric_by_each_dimension_equals_the_facts(mf_project, case: str):
    mf, warehouse, work = mf_project
    metric, group_by, sql = BY_DIMENSION[case]
    out = work / f"{metric}_by_{group_by}.csv"
    result = mf("query", "--metrics", metric, "--group-by", group_by, "--csv", str(out))
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    with out.open() as handle:
        got = {row[group_by] or None: int(float(row[metric])) for row in csv.DictReader(handle)}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = dict(con.execute(sql).fetchall())
    # more than one value, so the dimension really splits the metric
    assert len(expected) > 1, expected
    assert got == expected
