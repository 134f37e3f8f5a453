"""Deals without a type and roles inferred from what people did (issue 16, item 4).

The demo company is built once more with its user-roles file emptied (header
only: a CRM export without roles, so user_roles is taken out of
required_export_files) and the type blanked on every tenth
new-business deal: the sales people must get the roles they really hold back
from their deals and contracts, and the untyped deals must stay new business,
flagged.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_build_generic import PROJECT, dbt

from themodel.generator.cli import generate

SALES_ROLES = {"inside_sales", "field_sales", "customer_success"}


def read_text_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def mapped_roles(exports: Path) -> dict[str, list[str]]:
    """Each person's canonical roles in the order they held them, from the export."""
    mapping = read_text_csv(PROJECT / "seeds" / "role_mapping.csv")
    canonical = dict(
        zip(mapping["source_label"].str.strip().str.lower(), mapping["canonical_role"], strict=True)
    )
    roles = read_text_csv(exports / "user_roles.csv").sort_values("valid_from")
    roles["role"] = roles["role_label"].str.strip().str.lower().map(canonical)
    return roles.dropna(subset=["role"]).groupby("user_id")["role"].agg(list).to_dict()


@pytest.fixture(scope="module")
def without_roles(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("without_roles")
    exports = work / "exports"
    generate(1, 42, exports)
    held = mapped_roles(exports)
    roles_file = exports / "user_roles.csv"
    roles_file.write_text(roles_file.read_text(encoding="utf-8").splitlines()[0] + "\n")
    deals = read_text_csv(exports / "opportunities.csv")
    types = deals.groupby("opportunity_id")["opportunity_type"].agg(set)
    new_business = sorted(i for i, t in types.items() if t == {"new_business"})
    blanked = set(new_business[::10])
    deals.loc[deals["opportunity_id"].isin(blanked), "opportunity_type"] = ""
    deals.to_csv(exports / "opportunities.csv", index=False)
    database = work / "warehouse.duckdb"
    # a header-only required file stops the build (no_rows): roles made optional
    optional_roles = ["users", "accounts", "leads", "opportunities"]
    result = dbt(["build"], database, exports, work, required_export_files=optional_roles)
    assert result.returncode == 0, result.stdout[-5000:]
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, held, blanked


def test_demo_roles_are_all_mapped(demo_build):
    with duckdb.connect(str(demo_build.database), read_only=True) as con:
        sources = con.execute(
            "select distinct role_source from intermediate.int_user_role_months"
        ).fetchall()
    assert sources == [("mapped",)]


def test_untyped_deals_stay_new_business_flagged(without_roles, demo_build):
    con, _, blanked = without_roles
    flagged = con.execute(
        "select opportunity_id, opportunity_type from staging.stg_crm__opportunities"
        " where is_type_defaulted"
    ).fetchall()
    assert len(flagged) > 50
    assert {opportunity_id for opportunity_id, _ in flagged} <= blanked
    assert {kind for _, kind in flagged} == {"new_business"}
    sql = "select opportunity_type, count(*) from staging.stg_crm__opportunities group by 1"
    with duckdb.connect(str(demo_build.database), read_only=True) as demo:
        assert sorted(con.execute(sql).fetchall()) == sorted(demo.execute(sql).fetchall())


def test_people_without_roles_get_the_role_their_deals_show(without_roles):
    con, held, _ = without_roles
    inferred = dict(
        con.execute(
            "select user_id, role from intermediate.int_user_roles_resolved"
            " where role_source = 'inferred'"
        ).fetchall()
    )
    assert con.execute(
        "select count(*) from intermediate.int_user_roles_resolved where role_source = 'mapped'"
    ).fetchone() == (0,)
    for user_id, roles in held.items():
        if len(roles) == 1 and roles[0] in SALES_ROLES:
            assert inferred.get(user_id) == roles[0], user_id
        elif set(roles) & SALES_ROLES:
            # people who changed role: one role for all their time, one they held
            assert inferred.get(user_id) in set(roles), user_id
        else:
            # managers and marketers own and create no deals
            assert user_id not in inferred, user_id
    assert set(inferred) <= set(held)
    # known people's inferred roles start at their hire
    assert con.execute(
        """
        select count(*) from intermediate.int_user_roles_resolved as roles
        inner join staging.stg_crm__users as users on roles.user_id = users.user_id
        where roles.valid_from != users.hired_at
        """
    ).fetchone() == (0,)


def test_no_ae_win_falls_out_of_the_per_person_rows(without_roles, demo_build):
    con, _, _ = without_roles
    sql = """
        select sum(case when is_team_row then won_count end),
            sum(case when not is_team_row then won_count end)
        from marts.field_sales_kpis_monthly
    """
    team, people = con.execute(sql).fetchone()
    assert team == people > 0
    with duckdb.connect(str(demo_build.database), read_only=True) as demo:
        assert demo.execute(sql).fetchone()[0] == team
    ramp = con.execute(
        """
        select min(ramp_factor), max(ramp_factor) from intermediate.int_user_role_months
        where role_source = 'inferred' and month_in_role = 1
        """
    ).fetchone()
    assert ramp == (0.0, 0.0)


def test_an_unknown_default_type_stops_the_build_with_a_message(tmp_path):
    result = dbt(
        ["parse"], tmp_path / "w.duckdb", tmp_path, tmp_path, default_opportunity_type="upsell"
    )
    assert result.returncode != 0
    assert "default_opportunity_type 'upsell' is not an opportunity type" in result.stdout
