"""The demo company generator: deterministic, sized, the story and the mess in the files.

Figures are recomputed from the written CSV files with plain pandas and
compared with truth.json, so a generator that writes one thing and claims
another fails here.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from themodel.generator.cli import generate
from themodel.generator.mess import KOREAN_STAGES

ENGLISH = {v: k for k, v in KOREAN_STAGES.items()}
KNOWN_STAGES = set(KOREAN_STAGES) | set(KOREAN_STAGES.values())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(1, 42, out)


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)


def latest(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The newest version of each record, by modified_at (ISO text sorts in time order)."""
    frame = frame[frame[key].str.strip() != ""]
    return frame.sort_values("modified_at", kind="stable").drop_duplicates(key, keep="last")


def parse_moment(text: str) -> datetime:
    text = text.strip()
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y/%m/%d %H:%M", "%m/%d/%y %I:%M %p"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            pass
    raise ValueError(text)


def label(text: str) -> str:
    """Undo the label noise the way staging must: trim, English, canonical case."""
    text = text.strip()
    text = ENGLISH.get(text, text)
    return {s.lower(): s for s in KOREAN_STAGES}.get(text.lower(), text)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_and_scale_give_byte_identical_files(demo, tmp_path):
    out, _ = demo
    generate(1, 42, tmp_path / "again")
    assert digest(tmp_path / "again") == digest(out)
    generate(1, 43, tmp_path / "other")
    assert digest(tmp_path / "other")["opportunities.csv"] != digest(out)["opportunities.csv"]


def test_scale_one_is_about_five_thousand_leads_and_under_five_megabytes(demo):
    out, truth = demo
    assert 4_500 <= truth["clean_row_counts"]["leads"] <= 6_000
    assert sum(p.stat().st_size for p in out.glob("*.csv")) < 5 * 1024 * 1024
    assert len(read(out, "leads")) == truth["raw_row_counts"]["leads"]


def test_every_generic_file_is_written_with_its_header(demo):
    out, _ = demo
    expected = {
        "users",
        "user_roles",
        "accounts",
        "campaigns",
        "leads",
        "lead_status_events",
        "activities",
        "opportunities",
        "opportunity_changes",
        "contracts",
        "quotas",
        "exchange_rates",
    }
    assert {p.stem for p in out.glob("*.csv")} == expected
    assert "opportunity_id" in read(out, "opportunities").columns


def stage_transitions(out: Path) -> pd.DataFrame:
    """Stage transitions rebuilt from the raw change history, with the account's segment."""
    changes = read(out, "opportunity_changes")
    changes = changes[
        (changes["field"] == "stage")
        & changes["new_value"].str.strip().map(lambda v: label(v) in KOREAN_STAGES)
    ]
    changes = changes.assign(
        at=changes["changed_at"].map(parse_moment), stage=changes["new_value"].map(label)
    )
    changes = changes.sort_values(["opportunity_id", "at", "change_id"], kind="stable")
    changes["previous"] = changes.groupby("opportunity_id")["stage"].shift()
    opportunities = latest(read(out, "opportunities"), "opportunity_id")
    accounts = latest(read(out, "accounts"), "account_id")
    accounts["segment"] = accounts.apply(
        lambda a: (
            a["segment"]
            or (
                "smb"
                if int(a["employee_count"]) < 100
                else "mid_market"
                if int(a["employee_count"]) < 1000
                else "enterprise"
            )
        ),
        axis=1,
    )
    segment = opportunities.merge(accounts, on="account_id")[
        ["opportunity_id", "segment", "opportunity_type"]
    ]
    return changes.dropna(subset=["previous"]).merge(segment, on="opportunity_id")


def test_enterprise_proposal_to_negotiation_drops_from_month_19(demo):
    out, truth = demo
    moves = stage_transitions(out)
    from_proposal = moves[
        (moves["segment"] == "enterprise")
        & (moves["previous"] == "Proposal")
        & (moves["opportunity_type"] == "new_business")
    ]
    after = from_proposal["at"] >= datetime(2025, 7, 1)
    rate_before = (from_proposal[~after]["stage"] == "Negotiation").mean()
    rate_after = (from_proposal[after]["stage"] == "Negotiation").mean()
    story = truth["story"]["bottleneck"]
    assert round(rate_before, 6) == story["realised_rate_before"]
    assert round(rate_after, 6) == story["realised_rate_after"]
    assert rate_after < rate_before / 2


def test_transition_counts_in_the_files_equal_truth(demo):
    out, truth = demo
    moves = stage_transitions(out)
    canonical = {
        "Handed Off": "opportunity_created",
        "Accepted": "accepted",
        "Discovery": "discovery",
        "Proposal": "proposal",
        "Negotiation": "negotiation",
        "Commit": "commit",
        "Closed Won": "closed_won",
        "Closed Lost": "closed_lost",
        "Renewal Due": "renewal_due",
        "Renewed": "renewed",
        "Churned": "churned",
    }
    counted = (
        moves.assign(
            month=moves["at"].map(lambda m: m.strftime("%Y-%m")),
            from_stage=moves["previous"].map(canonical),
            to_stage=moves["stage"].map(canonical),
        )
        .groupby(["month", "segment", "opportunity_type", "from_stage", "to_stage"])
        .size()
    )
    expected = {
        (t["month"], t["segment"], t["opportunity_type"], t["from_stage"], t["to_stage"]): t[
            "count"
        ]
        for t in truth["opportunity_stage_transitions"]
    }
    assert counted.to_dict() == expected


def test_competitor_from_month_15_wins_most_contested_deals(demo):
    out, truth = demo
    deals = latest(read(out, "opportunities"), "opportunity_id")
    deals = deals[deals["opportunity_type"] == "new_business"]
    rivalo = deals[(deals["competitor"] == "Rivalo") & (deals["is_closed"] == "true")]
    assert rivalo["created_at"].map(parse_moment).min() >= datetime(2025, 1, 1)
    win_rate = (rivalo["is_won"] == "true").mean()
    assert round(win_rate, 6) == truth["story"]["competitor"]["our_win_rate_when_contested"]
    assert win_rate < 0.3


def test_loose_and_strict_sdr_against_the_team_band(demo):
    out, truth = demo
    deals = latest(read(out, "opportunities"), "opportunity_id")
    deals = deals[deals["opportunity_type"] == "new_business"]
    changes = read(out, "opportunity_changes")
    accepted_ids = set(changes[changes["new_value"].map(label) == "Accepted"]["opportunity_id"])
    deals = deals.assign(
        accepted=deals["opportunity_id"].isin(accepted_ids),
        rejected=deals["lost_reason"] == "rejected_handoff",
    )
    per_sdr = deals.groupby("created_by_id")[["accepted", "rejected"]].sum()
    rates = per_sdr["accepted"] / (per_sdr["accepted"] + per_sdr["rejected"])
    story = truth["story"]
    assert round(rates["u-sdr-003"], 6) == story["loose_sdr"]["acceptance_rate"]
    assert rates["u-sdr-003"] < 0.6
    assert rates["u-sdr-004"] > 0.9
    others = per_sdr.drop(["u-sdr-003", "u-sdr-004"]).sum()
    assert 0.70 <= others["accepted"] / (others["accepted"] + others["rejected"]) <= 0.80


def test_departed_ae_deals_are_reassigned(demo):
    out, truth = demo
    departed = truth["story"]["departed_ae"]
    changes = read(out, "opportunity_changes")
    moved = changes[
        (changes["field"] == "owner_id") & (changes["old_value"] == departed["user_id"])
    ]
    assert sorted(moved["opportunity_id"]) == sorted(departed["reassigned_opportunity_ids"])
    assert len(moved) > 0
    users = read(out, "users").set_index("user_id")
    assert users.loc[departed["user_id"], "terminated_at"].startswith("2025-08")


def test_ramping_sdrs_grow_and_overloaded_quarter_stretches_cycles(demo):
    _, truth = demo
    ramps = [r["by_month_in_role"] for r in truth["story"]["ramping_sdrs"].values()]
    assert sum(r[0] for r in ramps) < sum(r[2] for r in ramps)
    overload = truth["story"]["overload"]
    assert max(overload["open_deals_per_ae_month_end"][m] for m in ("2025-05", "2025-06")) > 10
    cycles = overload["median_won_cycle_days_by_quarter"]
    assert cycles["2025-Q2"] > 1.2 * max(cycles["2024-Q3"], cycles["2025-Q1"])


def test_mess_counts_in_the_files_equal_truth(demo):
    out, truth = demo
    mess = truth["mess"]
    keys = {"leads": "lead_id", "activities": "activity_id", "opportunities": "opportunity_id"}
    for name, key in keys.items():
        frame = read(out, name)
        assert (frame[key].str.strip() == "").sum() == mess[name]["missing_keys"], name
    for name in ("leads", "activities", "lead_status_events"):
        assert read(out, name).duplicated().sum() == mess[name]["exact_duplicates"], name
    opportunities = read(out, "opportunities")
    with_key = opportunities[opportunities["opportunity_id"].str.strip() != ""]
    assert (
        with_key["opportunity_id"].duplicated().sum() == mess["opportunities"]["updated_duplicates"]
    )
    changes = read(out, "opportunity_changes")
    stage_rows = changes[changes["field"] == "stage"]
    unknown = ~stage_rows["new_value"].map(lambda v: label(v) in KOREAN_STAGES)
    assert unknown.sum() == mess["opportunity_changes"]["unknown_stage_labels"]
    korean = stage_rows["new_value"].isin(set(KOREAN_STAGES.values()))
    assert korean.sum() == mess["opportunity_changes"]["korean_stage_labels"]
    activities = read(out, "activities")
    orphan = ~activities["opportunity_id"].isin(set(with_key["opportunity_id"])) & (
        activities["opportunity_id"] != ""
    )
    assert orphan.sum() == mess["activities"]["orphan_references"]


@pytest.fixture(scope="module")
def salesforce(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("salesforce")
    return out, generate(1, 42, out, export_format="salesforce")


SALESFORCE_FILES = (
    "Opportunity OpportunityHistory OpportunityFieldHistory Lead LeadHistory Account User "
    "UserRole Task Event Campaign Contract DatedConversionRate CurrencyType"
).split()


def test_salesforce_format_writes_every_object_with_salesforce_conventions(salesforce):
    from themodel.generator.salesforce import NULL_ID, id15_to_18

    out, truth = salesforce
    for name in SALESFORCE_FILES:
        frame = read(out, name)
        assert len(frame) > 0, name
        assert truth["raw_row_counts"][f"{name}.csv"] == len(frame)
        ids = frame["Id"]
        assert ids.str.len().eq(18).all(), name
        assert (ids.str[:15].map(id15_to_18) == ids).all(), f"{name}: bad checksum suffix"
        assert ids.is_unique, name
    opportunities = read(out, "Opportunity")
    assert set(opportunities["IsWon"]) == {"TRUE", "FALSE"}
    assert set(opportunities["StageName"]) <= {
        "Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote",
        "Negotiation/Review", "Commit", "Closed Won", "Closed Lost", "Renewal Due",
        "Renewed", "Churned",
    }  # fmt: skip
    leads = read(out, "Lead")
    assert (leads.loc[leads["IsConverted"] == "FALSE", "ConvertedOpportunityId"] == NULL_ID).all()
    # Salesforce's own example: the 15-character id 001A0000006Vm9r ends in IAC
    assert id15_to_18("001A0000006Vm9r") == "001A0000006Vm9rIAC"


def test_both_formats_describe_the_same_company(demo, salesforce):
    generic_out, _ = demo
    sf_out, _ = salesforce
    generic = latest(read(generic_out, "opportunities"), "opportunity_id")
    sf = read(sf_out, "Opportunity")
    assert len(sf) == len(generic)
    assert (sf["IsWon"] == "TRUE").sum() == generic["is_won"].str.strip().eq("true").sum()
    generic_amount = generic["amount"].str.replace(r"[^0-9.]", "", regex=True).astype(float)
    assert sf["Amount"].astype(float).sum() == pytest.approx(generic_amount.sum())
    won = sf["IsWon"] == "TRUE"
    assert sf.loc[won, "Amount"].astype(float).sum() == pytest.approx(
        generic_amount[generic["is_won"].str.strip() == "true"].sum()
    )
    assert len(read(sf_out, "Lead")) == len(latest(read(generic_out, "leads"), "lead_id"))


def test_opportunity_history_has_a_row_for_every_stage_amount_or_close_date_change(salesforce):
    out, _ = salesforce
    fields = read(out, "OpportunityFieldHistory")
    history = read(out, "OpportunityHistory")
    tracked = fields[fields["Field"].isin(["created", "StageName", "Amount", "CloseDate"])]
    # one history row per moment a snapshot field changed (several fields can change at once)
    moments = tracked.drop_duplicates(["OpportunityId", "CreatedDate"])
    assert len(history) == len(moments)
    assert history["OpportunityId"].nunique() == len(read(out, "Opportunity"))


def test_salesforce_format_is_byte_identical_for_the_same_seed(salesforce, tmp_path):
    out, _ = salesforce
    generate(1, 42, tmp_path, export_format="salesforce")
    assert digest(tmp_path) == digest(out)
