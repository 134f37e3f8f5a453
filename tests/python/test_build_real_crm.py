"""End to end on a company shaped like real CRM exports (`--profile real_crm`): no SDR
team (AEs create their own deals), deals created at any stage, Spanish stage labels,
no field history, empty opportunity types, four currencies. Generated in both export
formats, built on a fresh DuckDB file, and the marts compared with truth.json, which
the generator computes from the rows it wrote (never from a warehouse).

The marts must give the business truth for this shape too (../shared/DESIGN.md,
"Milestones as real CRMs record them"): every decided new-business deal counts in
won / closed / win rate by the month of its close date, whether or not it visited an
"accepted" stage, and the funnel's cohort holds every deal created in its month.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from test_build_generic import PROJECT, dbt

from themodel.generator.cli import generate
from themodel.generator.real_crm import ABSENT_FILES, STAGE_LABELS

AS_OF = "2025-12-31 23:59:00"  # the generator's as-of moment (truth["as_of"])
FORMATS = ("generic", "salesforce")
# canonical entity -> the Salesforce Data Export file it is staged from
SALESFORCE_FILES = {
    "users": "User.csv",
    "accounts": "Account.csv",
    "leads": "Lead.csv",
    "opportunities": "Opportunity.csv",
    # CurrencyType's static rates stage beside the dated ones
    "exchange_rates": ("DatedConversionRate.csv", "CurrencyType.csv"),
    "quotas": "ForecastingQuota.csv",
}


def mismatches(name: str, found: dict, expected: dict, close: float | None = None) -> list[str]:
    """'<name> <key>: mart <x>, truth <y>' for every key where the two differ."""
    lines = []
    for key in sorted(set(found) | set(expected), key=str):
        mart, truth = found.get(key), expected.get(key)
        if close is not None and mart is not None and truth is not None:
            same = abs(float(mart) - float(truth)) <= close
        else:
            same = mart == truth
        if not same:
            lines.append(f"{name} {key}: mart {mart}, truth {truth}")
    return lines


def assert_none(lines: list[str]) -> None:
    assert not lines, f"{len(lines)} differences:\n" + "\n".join(lines[:40])


@pytest.fixture(scope="module", params=FORMATS)
def real_crm(request, tmp_path_factory: pytest.TempPathFactory):
    """The real_crm company in one export format: every model, seed and snapshot built
    (no tests, so a failing mart test cannot skip a mart), then `dbt test` run apart."""
    export_format = request.param
    work = tmp_path_factory.mktemp(f"real_crm_{export_format}")
    exports = work / "exports"
    truth = generate(1, 42, exports, export_format=export_format, profile="real_crm")
    database = work / "warehouse.duckdb"
    variables = {"as_of_date": AS_OF, "crm_source": export_format}
    built = dbt(
        ["build", "--exclude-resource-type", "test", "unit_test"],
        database,
        exports,
        work,
        **variables,
    )
    assert built.returncode == 0, built.stdout[-5000:]
    tested = dbt(["test"], database, exports, work, **variables)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, truth, exports, tested


def new_business_truth(truth: dict) -> dict:
    return truth["new_business"]


# ---- the generated files have the real-CRM shape (no warehouse needed) --------------------


@pytest.fixture(scope="module")
def generic_files(tmp_path_factory: pytest.TempPathFactory):
    exports = tmp_path_factory.mktemp("real_crm_files") / "exports"
    truth = generate(1, 42, exports, profile="real_crm")

    def rows(name: str) -> list[dict]:
        with open(exports / f"{name}.csv", encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    return exports, truth, rows


def test_real_crm_files_have_no_history_and_no_sdr(generic_files):
    exports, truth, rows = generic_files
    for name in ABSENT_FILES:
        assert not (exports / f"{name}.csv").exists(), name
    assert truth["absent_files"] == list(ABSENT_FILES)
    assert {r["role_label"] for r in rows("user_roles")} == {"AE", "Marketing", "Manager"}
    deals = rows("opportunities")
    assert all(d["created_by_id"] == d["owner_id"] for d in deals)
    owners = {r["user_id"] for r in rows("user_roles") if r["role_label"] == "AE"}
    assert {d["owner_id"] for d in deals} <= owners
    assert {d["stage"] for d in deals} == set(STAGE_LABELS.values())


def test_real_crm_deals_start_at_several_stages_in_four_currencies(generic_files):
    _, truth, rows = generic_files
    deals = rows("opportunities")
    nb = new_business_truth(truth)
    created_at = nb["creation_stage_counts"]
    later = created_at["accepted"] + created_at["proposal"] + created_at["negotiation"]
    assert 0.25 <= later / nb["deal_count"] <= 0.35
    assert 0 < created_at["closed_won"] + created_at["closed_lost"] <= 0.1 * nb["deal_count"]
    empty = sum(1 for d in deals if d["opportunity_type"] == "")
    assert empty == nb["empty_type_count"]
    assert 0.07 <= empty / len(deals) <= 0.13
    assert {d["currency"] for d in deals} == {"KRW", "USD", "EUR", "JPY"}
    rated = {(r["currency"], r["rate_date"]) for r in rows("exchange_rates")}
    assert {c for c, _ in rated} == {"USD", "EUR", "JPY"}
    assert all(
        (d["currency"], d["close_date"]) in rated
        for d in deals
        if d["currency"] != "KRW" and d["close_date"] <= "2025-12-31"
    )
    assert nb["close_date_pushed_count"] > 0
    assert nb["won_count"] > 0 and nb["lost_count"] > 0 and nb["open_count_as_of"] > 0


def test_real_crm_truth_is_the_rows_it_was_computed_from(generic_files):
    """Counts recomputed from the CSV files equal truth.json (closed month = close_date)."""
    _, truth, rows = generic_files
    deals = [d for d in rows("opportunities") if d["opportunity_type"] in ("new_business", "")]
    closed = Counter(d["close_date"][:7] for d in deals if d["is_closed"] == "true")
    won = Counter(d["close_date"][:7] for d in deals if d["is_won"] == "true")
    team = {r["month"]: r for r in new_business_truth(truth)["team_by_close_month"]}
    assert {m: (r["won_count"], r["closed_count"]) for m, r in team.items()} == {
        m: (won[m], n) for m, n in closed.items()
    }
    created = Counter(d["created_at"][:7] for d in deals)
    assert {
        r["month"]: r["created_count"] for r in new_business_truth(truth)["created_per_month"]
    } == dict(created)
    assert new_business_truth(truth)["open_count_as_of"] == sum(
        1 for d in deals if d["is_closed"] == "false"
    )
    for name, count in truth["clean_row_counts"].items():
        if name not in ABSENT_FILES:
            assert len(rows(name)) == count, name


def test_real_crm_profile_is_byte_identical_for_the_same_seed(generic_files, tmp_path):
    exports, _, _ = generic_files
    generate(1, 42, tmp_path / "again", profile="real_crm")
    for path in sorted(exports.iterdir()):
        assert path.read_bytes() == (tmp_path / "again" / path.name).read_bytes(), path.name


# ---- staging loads every row ------------------------------------------------------------


def test_real_crm_every_row_is_staged_none_quarantined(real_crm):
    con, truth, _, _ = real_crm
    accounting = {
        entity: (raw, staged, quarantined, duplicates, superseded)
        for entity, raw, staged, quarantined, duplicates, superseded in con.execute(
            "select entity, raw_rows, staged_rows, quarantined_rows, exact_duplicate_rows,"
            " superseded_rows from quarantine.row_accounting"
        ).fetchall()
    }
    assert len(accounting) == 12
    for entity, (raw, staged, quarantined, duplicates, superseded) in accounting.items():
        assert (quarantined, duplicates, superseded) == (0, 0, 0), entity
        assert raw == staged, entity
        if truth["format"]["export_format"] == "generic":
            assert raw == truth["raw_row_counts"][entity], entity
            assert staged == truth["clean_row_counts"][entity], entity
        elif entity in SALESFORCE_FILES:
            files = SALESFORCE_FILES[entity]
            files = (files,) if isinstance(files, str) else files
            extra = sum(truth["raw_row_counts"][name] for name in files[1:])
            assert raw == truth["raw_row_counts"][files[0]] + extra, entity
            assert staged == truth["clean_row_counts"][entity] + extra, entity
    for entity in ABSENT_FILES:
        assert accounting[entity][0] == 0, entity
    (quarantined,) = con.execute("select count(*) from quarantine.quarantined_rows").fetchone()
    assert quarantined == 0


def test_real_crm_staging_maps_the_spanish_stages_and_the_empty_type(real_crm):
    con, truth, _, _ = real_crm
    stages = dict(
        con.execute(
            "select stage_label, min(stage) from staging.stg_crm__opportunities group by 1"
        ).fetchall()
    )
    assert stages == {label: stage for stage, label in STAGE_LABELS.items()}
    (new_business,) = con.execute(
        "select count(*) from staging.stg_crm__opportunities"
        " where opportunity_type = 'new_business'"
    ).fetchone()
    assert new_business == new_business_truth(truth)["deal_count"]
    (defaulted,) = con.execute(
        "select count(*) from facts.fct_opportunities where is_type_defaulted"
    ).fetchone()
    assert defaulted == new_business_truth(truth)["empty_type_count"]
    roles = {
        r
        for (r,) in con.execute("select distinct role from staging.stg_crm__user_roles").fetchall()
    }
    assert "inside_sales" not in roles
    (changes,) = con.execute("select count(*) from staging.stg_crm__opportunity_changes").fetchone()
    assert changes == 0


def test_real_crm_dbt_tests_pass(real_crm):
    """Every data and unit test of the project holds on this shape as well."""
    _, _, _, tested = real_crm
    failing = [line for line in tested.stdout.splitlines() if " FAIL " in line or " ERROR " in line]
    assert tested.returncode == 0, "\n".join(failing[:30]) or tested.stdout[-3000:]


# ---- the marts equal the truth ------------------------------------------------------------


def test_real_crm_team_won_closed_amount_and_win_rate_per_close_month(real_crm):
    con, truth, _, _ = real_crm
    rows = con.execute(
        "select strftime(month, '%Y-%m'), won_count, closed_count, won_amount, win_rate"
        " from marts.field_sales_kpis_monthly where user_id = '_team'"
    ).fetchall()
    mart = {month: row for month, *row in rows}
    expected = {r["month"]: r for r in new_business_truth(truth)["team_by_close_month"]}
    # a month with no closed deal must have zero in the mart too
    months = sorted(set(mart) | set(expected))
    lines = []
    for column, position in (("won_count", 0), ("closed_count", 1)):
        lines += mismatches(
            f"team {column}",
            {m: mart[m][position] for m in months if m in mart},
            {m: expected[m][column] if m in expected else 0 for m in months},
        )
    lines += mismatches(
        "team won_amount",
        {m: mart[m][2] for m in months if m in mart},
        {m: expected[m]["won_amount"] if m in expected else 0 for m in months},
        close=0.005,
    )
    lines += mismatches(
        "team win_rate",
        {m: mart[m][3] for m in months if m in mart},
        {m: expected[m]["win_rate"] if m in expected else None for m in months},
        close=1e-6,
    )
    assert_none(lines)


def test_real_crm_team_median_won_cycle_days_per_close_month(real_crm):
    """Created -> close date (a deal without history closes at the start of its close
    date, never before it was created)."""
    con, truth, _, _ = real_crm
    mart = dict(
        con.execute(
            "select strftime(month, '%Y-%m'), median_won_cycle_days"
            " from marts.field_sales_kpis_monthly"
            " where user_id = '_team' and median_won_cycle_days is not null"
        ).fetchall()
    )
    expected = {
        r["month"]: r["median_won_cycle_days"]
        for r in new_business_truth(truth)["team_by_close_month"]
        if r["median_won_cycle_days"] is not None
    }
    assert_none(mismatches("team median_won_cycle_days", mart, expected, close=1e-3))


def generic_user_ids(exports: Path) -> dict[str, str]:
    """The Salesforce writer gives users ids of their own; their Username keeps the
    generic id (u-ae-001@empresa.example). Facts and marts show the 18-character id.
    Generic exports map each id to itself."""
    users = exports / "User.csv"
    if not users.exists():
        return {}
    with users.open(encoding="utf-8", newline="") as file:
        return {row["Id"]: row["Username"].split("@")[0] for row in csv.DictReader(file)}


def test_real_crm_won_and_closed_per_owner_and_close_month(real_crm):
    con, truth, exports, _ = real_crm
    ids = generic_user_ids(exports)
    mart = {
        (month, ids.get(user, user)): (won, closed)
        for month, user, won, closed in con.execute(
            "select strftime(month, '%Y-%m'), user_id, won_count, closed_count"
            " from marts.field_sales_kpis_monthly"
            " where not is_team_row and (won_count > 0 or closed_count > 0)"
        ).fetchall()
    }
    expected = {
        (r["month"], r["user_id"]): (r["won_count"], r["closed_count"])
        for r in new_business_truth(truth)["per_owner_by_close_month"]
    }
    assert_none(mismatches("owner (won, closed)", mart, expected))


def test_real_crm_funnel_cohort_holds_every_new_business_deal_created_in_the_month(real_crm):
    """The first stage of funnel_stage_conversion counts every new-business deal of the
    cohort month, including deals created directly at a later stage or as won or lost
    (they passed every earlier milestone at their creation)."""
    con, truth, _, _ = real_crm
    mart = dict(
        con.execute(
            "select strftime(cohort_month, '%Y-%m'), sum(entered_count)"
            " from marts.funnel_stage_conversion"
            " where stage_order = (select min(stage_order) from marts.funnel_stage_conversion)"
            " group by 1"
        ).fetchall()
    )
    expected = {
        r["month"]: r["created_count"] for r in new_business_truth(truth)["created_per_month"]
    }
    assert_none(mismatches("funnel first-stage entered_count", mart, expected))


def test_real_crm_open_pipeline_as_of_equals_truth(real_crm):
    con, truth, _, _ = real_crm
    expected = new_business_truth(truth)["open_count_as_of"]
    (forecast,) = con.execute("select count(*) from marts.forecast_pipeline").fetchone()
    (team_open,) = con.execute(
        "select open_deals_count from marts.field_sales_kpis_monthly"
        " where user_id = '_team' and month = date '2025-12-01'"
    ).fetchone()
    assert_none(
        mismatches(
            "open new-business deals as of",
            {"forecast_pipeline": forecast, "field_sales team 2025-12": team_open},
            {"forecast_pipeline": expected, "field_sales team 2025-12": expected},
        )
    )


def test_real_crm_forecast_inputs_won_and_closed_per_quarter(real_crm):
    con, truth, _, _ = real_crm
    mart = {
        quarter: (won, closed)
        for quarter, won, closed in con.execute(
            "select strftime(quarter, '%Y-%m'), won_count, closed_count"
            " from marts.forecast_inputs_quarterly where segment = '_all'"
            " and (won_count > 0 or closed_count > 0)"
        ).fetchall()
    }
    expected: dict[str, tuple[int, int]] = {}
    for r in new_business_truth(truth)["team_by_close_month"]:
        year, month = r["month"].split("-")
        quarter = f"{year}-{(int(month) - 1) // 3 * 3 + 1:02d}"
        won, closed = expected.get(quarter, (0, 0))
        expected[quarter] = (won + r["won_count"], closed + r["closed_count"])
    assert_none(mismatches("forecast_inputs_quarterly _all (won, closed)", mart, expected))


# The company's own stage ids: the Spanish labels mapped to ids of its own, with
# only the hand-off, acceptance and the outcomes marked as fixed milestones.
COMPANY_STAGES = {
    "Prospección": ("prospeccion", "opportunity_created"),
    "Calificación": ("calificacion", "accepted"),
    "Propuesta": ("propuesta", ""),
    "Negociación": ("negociacion", ""),
    "Compromiso": ("compromiso", ""),
    "Cerrada ganada": ("cerrada_ganada", "closed_won"),
    "Cerrada perdida": ("cerrada_perdida", "closed_lost"),
}


@pytest.fixture(scope="module")
def own_stages(tmp_path_factory: pytest.TempPathFactory):
    """A copy of the project whose stage mapping holds the company's own opportunity
    stages only (as a user who edits seeds/stage_mapping.csv has), built on the
    real_crm company in the generic format."""
    work = tmp_path_factory.mktemp("own_stages")
    project = work / "project"
    shutil.copytree(
        PROJECT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "warehouse", "target", "logs", "dbt_packages"
        ),
    )
    mapping = project / "seeds" / "stage_mapping.csv"
    with mapping.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        fields = reader.fieldnames
        rows = []
        for row in reader:
            if row["source_system"] == "generic" and row["entity_type"] == "opportunity":
                if row["source_label"] not in COMPANY_STAGES:
                    continue
                row["canonical_stage"], row["milestone"] = COMPANY_STAGES[row["source_label"]]
            rows.append(row)
    with mapping.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    exports = work / "exports"
    truth = generate(1, 42, exports, profile="real_crm")
    database = work / "warehouse.duckdb"
    built = dbt(["build"], database, exports, work, project=project, as_of_date=AS_OF)
    assert built.returncode == 0, built.stdout[-5000:]
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, truth


def test_own_stages_are_the_funnel_stages_and_every_figure_holds(own_stages):
    """Funnel and bottleneck speak the company's stage ids; won, closed and funnel
    coverage equal the truth as with the canonical ids; no deal is a hand-off."""
    con, truth = own_stages
    funnel = [
        row[0]
        for row in con.execute(
            "select stage from marts.funnel_stage_conversion"
            " group by stage order by min(stage_order)"
        ).fetchall()
    ]
    assert funnel == ["prospeccion", "calificacion", "propuesta", "negociacion", "compromiso"]
    bottleneck_stages = {
        row[0]
        for row in con.execute("select distinct stage from marts.funnel_bottlenecks").fetchall()
    }
    assert bottleneck_stages <= set(funnel) | {"lead_created", "mql", "sdr_working", "qualified"}
    mart = {
        month: (won, closed)
        for month, won, closed in con.execute(
            "select strftime(month, '%Y-%m'), won_count, closed_count"
            " from marts.field_sales_kpis_monthly where is_team_row and closed_count > 0"
        ).fetchall()
    }
    expected = {
        row["month"]: (row["won_count"], row["closed_count"])
        for row in new_business_truth(truth)["team_by_close_month"]
        if row["closed_count"] > 0
    }
    assert_none(mismatches("team (won, closed)", mart, expected))
    (accepted_without_stage,) = con.execute(
        "select count(*) from facts.fct_opportunities where is_won and not is_accepted"
    ).fetchone()
    assert accepted_without_stage == 0
    (handoffs,) = con.execute("select count(*) from facts.fct_handoffs").fetchone()
    assert handoffs == 0
