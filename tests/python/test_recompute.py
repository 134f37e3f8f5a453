"""Headline KPIs recomputed straight from the raw export files with pandas, and
compared with the marts.

Nothing here reads a dbt model below the marts: the raw CSV files are cleaned
by this file's own small parsers (mixed date formats, money strings, Korean
and noisy labels, exact duplicates, older versions, missing keys, orphans,
unknown stage labels; see docs/generic_format.md and docs/demo_company.md),
and each KPI follows its definition in models/marts/_marts__docs.md.
Counts must match exactly; amounts within the rounding of decimal(18, 2)
(one cent per row summed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd
import pytest

# --- parsing, written for this test from docs/generic_format.md ---------------

TIMESTAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%y",
    "%Y-%m-%d",
)


def parse_timestamp(text: object) -> datetime | None:
    """Any accepted timestamp form, as a naive UTC datetime."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    offset = timedelta(0)
    if value.endswith("Z"):
        value = value[:-1]
    elif re.search(r"T.*[+-]\d\d:\d\d$", value):
        sign = 1 if value[-6] == "+" else -1
        offset = sign * timedelta(hours=int(value[-5:-3]), minutes=int(value[-2:]))
        value = value[:-6]
    for form in TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(value, form) - offset
        except ValueError:
            continue
    raise ValueError(f"unparseable timestamp {text!r}")


def parse_date(text: object) -> pd.Timestamp | None:
    moment = parse_timestamp(text)
    return None if moment is None else pd.Timestamp(moment.date())


def parse_money(text: object) -> float | None:
    if not isinstance(text, str) or not text.strip():
        return None
    return float(re.sub(r"[^0-9.\-]", "", re.sub(r"^[A-Za-z]{3}\s", "", text.strip())))


def parse_boolean(text: object) -> bool | None:
    value = label(text)
    if value in {"true", "t", "1", "yes", "y"}:
        return True
    if value in {"false", "f", "0", "no", "n"}:
        return False
    return None


def label(text: object) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    return " ".join(text.split()).lower()


# canonical stages and their order, from the label table in docs/generic_format.md
STAGES = {
    "handed off": "opportunity_created",
    "상담화": "opportunity_created",
    "accepted": "accepted",
    "수락": "accepted",
    "discovery": "discovery",
    "니즈 파악": "discovery",
    "proposal": "proposal",
    "제안": "proposal",
    "negotiation": "negotiation",
    "협상": "negotiation",
    "commit": "commit",
    "계약 확정": "commit",
    "closed won": "closed_won",
    "수주": "closed_won",
    "closed lost": "closed_lost",
    "실주": "closed_lost",
    "onboarding": "onboarding",
    "온보딩": "onboarding",
    "renewal due": "renewal_due",
    "갱신 예정": "renewal_due",
    "renewed": "renewed",
    "갱신": "renewed",
    "churned": "churned",
    "이탈": "churned",
}
FUNNEL = ["opportunity_created", "accepted", "discovery", "proposal", "negotiation", "commit"]
ORDER = {stage: position for position, stage in enumerate(FUNNEL)} | {"closed_won": 6}
WON, LOST = {"closed_won", "renewed"}, {"closed_lost", "churned"}


def month_of(moment: datetime | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(moment.year, moment.month, 1)


def read(folder: Path, entity: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{entity}.csv", dtype=str, keep_default_na=False)


def latest_version(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Drop exact repeats and rows without a key; keep each key's newest version."""
    frame = frame.drop_duplicates()
    frame = frame[frame[key].str.strip() != ""].copy()
    frame[key] = frame[key].str.strip()
    if "modified_at" in frame:
        version = frame["modified_at"].where(frame["modified_at"] != "", frame["created_at"])
        frame["_version"] = version.map(parse_timestamp)
        frame["_position"] = range(len(frame))
        frame = frame.sort_values(["_version", "_position"]).drop_duplicates(key, keep="last")
        frame = frame.drop(columns=["_version", "_position"])
    return frame


# --- the demo company, cleaned -------------------------------------------------


@dataclass
class Exports:
    folder: Path

    @cached_property
    def rates(self) -> pd.DataFrame:
        rates = read(self.folder, "exchange_rates")
        rates["rate_date"] = rates["rate_date"].map(parse_date)
        rates["currency"] = rates["currency"].str.strip().str.upper()
        rates["rate"] = rates["rate"].astype(float)
        return rates.sort_values("rate_date")

    def rate(self, currency: str, day: pd.Timestamp) -> float:
        """Units of KRW per unit of currency on the day: the latest rate on or before it."""
        if currency == "KRW":
            return 1.0
        known = self.rates[(self.rates["currency"] == currency) & (self.rates["rate_date"] <= day)]
        return float(known["rate"].iloc[-1])

    @cached_property
    def accounts(self) -> pd.DataFrame:
        accounts = latest_version(read(self.folder, "accounts"), "account_id")
        employees = accounts["employee_count"].map(lambda t: int(t) if t.strip() else None)
        derived = employees.map(
            lambda n: (
                None
                if n is None or pd.isna(n)
                else "smb"
                if n < 100
                else "mid_market"
                if n < 1000
                else "enterprise"
            )
        )
        accounts["segment"] = accounts["segment"].map(label).fillna(derived)
        return accounts.set_index("account_id")

    @cached_property
    def leads(self) -> pd.DataFrame:
        leads = latest_version(read(self.folder, "leads"), "lead_id")
        leads["created_at"] = leads["created_at"].map(parse_timestamp)
        leads["channel"] = leads["channel"].map(label).fillna("unknown")
        leads["account_id"] = leads["account_id"].str.strip()
        leads["segment"] = leads["account_id"].map(self.accounts["segment"]).fillna("unknown")
        events = self.lead_events
        first = events.groupby(["lead_id", "to_status"])["changed_at"].min().unstack()
        leads["mql_at"] = leads["lead_id"].map(first["mql"])
        converted = leads["lead_id"].map(first["converted"])
        fallback = leads["converted_at"].map(parse_timestamp)
        leads["converted_at"] = converted.where(converted.notna(), fallback)
        leads["converted_opportunity_id"] = leads["converted_opportunity_id"].str.strip()
        leads["month"] = leads["created_at"].map(month_of)
        return leads

    @cached_property
    def lead_events(self) -> pd.DataFrame:
        events = read(self.folder, "lead_status_events").drop_duplicates()
        events["lead_id"] = events["lead_id"].str.strip()
        events["changed_at"] = events["changed_at"].map(parse_timestamp)
        events["to_status"] = events["to_status"].map(label)
        return events

    @cached_property
    def opportunities(self) -> pd.DataFrame:
        opportunities = latest_version(read(self.folder, "opportunities"), "opportunity_id")
        opportunities["created_at"] = opportunities["created_at"].map(parse_timestamp)
        opportunities["close_date"] = opportunities["close_date"].map(parse_date)
        opportunities["amount"] = opportunities["amount"].map(parse_money)
        opportunities["currency"] = (
            opportunities["currency"].str.strip().str.upper().replace("", "KRW")
        )
        opportunities["type"] = opportunities["opportunity_type"].map(label)
        opportunities["segment"] = (
            opportunities["account_id"].str.strip().map(self.accounts["segment"]).fillna("unknown")
        )
        # booked at the rate of the close date (the creation date while none is set)
        opportunities["amount_krw"] = [
            round(
                row.amount * self.rate(row.currency, row.close_date or month_day(row.created_at)), 2
            )
            for row in opportunities.itertuples()
        ]
        return opportunities.set_index("opportunity_id", drop=False)

    @cached_property
    def changes(self) -> pd.DataFrame:
        changes = read(self.folder, "opportunity_changes").drop_duplicates()
        changes["opportunity_id"] = changes["opportunity_id"].str.strip()
        changes["changed_at"] = changes["changed_at"].map(parse_timestamp)
        changes["field"] = changes["field"].map(label)
        changes["position"] = range(len(changes))
        stage = changes["field"] == "stage"
        changes.loc[stage, "new_value"] = changes.loc[stage, "new_value"].map(label).map(STAGES)
        # unknown stage labels and changes of unknown deals are not history
        known = changes["opportunity_id"].isin(self.opportunities.index)
        return changes[known & ~(stage & changes["new_value"].isna())]

    @cached_property
    def stage_visits(self) -> pd.DataFrame:
        """Each deal's stage changes in order (repeats of the current stage dropped)."""
        stages = self.changes[self.changes["field"] == "stage"]
        stages = stages.sort_values(["opportunity_id", "changed_at", "position"])
        stages = stages[
            stages["new_value"] != stages.groupby("opportunity_id")["new_value"].shift()
        ]
        return stages.rename(columns={"new_value": "stage"})[
            ["opportunity_id", "stage", "changed_at"]
        ]

    @cached_property
    def deals(self) -> pd.DataFrame:
        """One row per opportunity: current stage, close time, owner at close."""
        visits = self.stage_visits
        last = visits.groupby("opportunity_id").tail(1).set_index("opportunity_id")
        deals = self.opportunities.copy()
        deals["stage"] = last["stage"]
        deals["is_won"] = deals["stage"].isin(WON)
        deals["is_closed"] = deals["stage"].isin(WON | LOST)
        deals["closed_at"] = last["changed_at"].where(deals["is_closed"])
        reached = visits.groupby("opportunity_id")["stage"].agg(set)
        # taken on by the AE: reached Accepted or any later open or won stage
        taken_on = set(FUNNEL[1:]) | {"closed_won"}
        reached = visits.groupby("opportunity_id")["stage"].agg(lambda s: bool(set(s) & taken_on))
        deals["is_accepted"] = reached.reindex(deals.index, fill_value=False).astype(bool)
        deals["closing_owner"] = [
            self.owner_at(deal, at) if at is not None and not pd.isna(at) else None
            for deal, at in zip(deals.index, deals["closed_at"], strict=True)
        ]
        return deals

    @cached_property
    def owner_changes(self) -> dict[str, list[tuple[datetime, str, str]]]:
        owners = self.changes[self.changes["field"] == "owner_id"].sort_values(
            ["changed_at", "position"]
        )
        history: dict[str, list] = {}
        for row in owners.itertuples():
            history.setdefault(row.opportunity_id, []).append(
                (row.changed_at, row.old_value.strip(), row.new_value.strip())
            )
        return history

    def owner_at(self, deal: str, moment: datetime) -> str:
        changes = self.owner_changes.get(deal)
        if not changes:
            return self.opportunities.at[deal, "owner_id"].strip()
        owner = changes[0][1]
        for changed_at, _, new in changes:
            if changed_at <= moment:
                owner = new
        return owner

    @cached_property
    def as_of(self) -> datetime:
        """The latest event in the data (var as_of_date unset)."""
        versions = read(self.folder, "opportunities")["modified_at"].map(parse_timestamp)
        activities = read(self.folder, "activities")["occurred_at"].map(parse_timestamp)
        return max(
            self.leads["created_at"].max(),
            self.lead_events["changed_at"].max(),
            versions.max(),
            self.changes["changed_at"].max(),
            activities.max(),
        )


def month_day(moment: datetime) -> pd.Timestamp:
    return pd.Timestamp(moment.date())


# --- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw(demo_build) -> Exports:
    return Exports(demo_build.exports)


@pytest.fixture(scope="module")
def mart(demo_build):
    con = duckdb.connect(str(demo_build.database), read_only=True)

    def query(sql: str) -> pd.DataFrame:
        return con.execute(sql).df()

    yield query
    con.close()


def as_dict(frame: pd.DataFrame, keys: list[str], value: str) -> dict:
    return {tuple(row[k] for k in keys): row[value] for _, row in frame.iterrows()}


def assert_same(found: dict, expected: dict, tolerance: float = 0.0) -> None:
    """Same keys; values equal (or within tolerance); the first differences named."""
    missing = sorted(set(expected) - set(found), key=str)[:5]
    extra = sorted(set(found) - set(expected), key=str)[:5]
    assert not missing and not extra, f"keys only in recompute {missing}, only in mart {extra}"
    wrong = [
        (key, expected[key], found[key])
        for key in expected
        if not abs(float(found[key]) - float(expected[key])) <= tolerance
    ]
    assert not wrong, f"{len(wrong)} differ (key, recomputed, mart): {wrong[:5]}"
    assert expected, "nothing to compare"


# --- marketing ----------------------------------------------------------------------


def test_leads_per_channel_and_month(raw, mart):
    expected = raw.leads.groupby(["month", "channel"]).size().to_dict()
    found = mart(
        "select month, channel, sum(leads_count) as n from marts.marketing_kpis_monthly"
        " group by all having sum(leads_count) > 0"
    )
    assert_same(as_dict(found, ["month", "channel"], "n"), expected)


def test_mqls_per_channel_and_month(raw, mart):
    leads = raw.leads[raw.leads["mql_at"].notna()]
    expected = leads.groupby(["month", "channel"]).size().to_dict()
    found = mart(
        "select month, channel, sum(mqls_count) as n from marts.marketing_kpis_monthly"
        " group by all having sum(mqls_count) > 0"
    )
    assert_same(as_dict(found, ["month", "channel"], "n"), expected)


def converted_in_window(leads: pd.DataFrame) -> pd.Series:
    return leads["converted_at"].notna() & (
        leads["converted_at"] <= leads["created_at"] + timedelta(days=90)
    )


def test_opportunities_sourced_within_90_days_per_channel_segment_month(raw, mart):
    leads = raw.leads[converted_in_window(raw.leads)]
    expected = leads.groupby(["month", "channel", "segment"]).size().to_dict()
    found = mart(
        "select month, channel, segment, opportunities_count from marts.marketing_kpis_monthly"
        " where opportunities_count > 0"
    )
    assert_same(as_dict(found, ["month", "channel", "segment"], "opportunities_count"), expected)


def test_pipeline_and_wins_sourced_per_channel_segment_month(raw, mart):
    """The amounts (KRW at the close-date rate) of the opportunities the month's
    leads became within 90 days, and the part of it won."""
    leads = raw.leads[converted_in_window(raw.leads)]
    deals = raw.opportunities.reindex(leads["converted_opportunity_id"])
    is_won = deals["is_won"].map(parse_boolean)
    won_stage = deals["stage"].map(label).map(STAGES).isin(WON)
    leads = leads.assign(
        amount=deals["amount_krw"].to_numpy(),
        won=(deals["amount_krw"] * is_won.fillna(won_stage).astype(bool)).to_numpy(),
    )
    grouped = leads.groupby(["month", "channel", "segment"])
    found = mart(
        "select month, channel, segment, pipeline_sourced_amount, won_sourced_amount"
        " from marts.marketing_kpis_monthly where opportunities_count > 0"
    )
    keys = ["month", "channel", "segment"]
    tolerance = 0.01 * grouped.size().max()
    assert_same(
        as_dict(found, keys, "pipeline_sourced_amount"),
        grouped["amount"].sum().to_dict(),
        tolerance,
    )
    assert_same(
        as_dict(found, keys, "won_sourced_amount"), grouped["won"].sum().to_dict(), tolerance
    )


def campaign_cost_by_channel_month(raw: Exports) -> dict:
    """Each campaign's cost in KRW (rate of its start date), spread over its months by days."""
    campaigns = read(raw.folder, "campaigns")
    cost: dict = {}
    for row in campaigns.itertuples():
        start, end = parse_date(row.start_date), parse_date(row.end_date)
        currency = row.currency.strip().upper() or "KRW"
        total = round(parse_money(row.cost) * raw.rate(currency, start), 2)
        days = (end - start).days + 1
        month = month_of(start)
        while month <= end:
            following = month + pd.DateOffset(months=1)
            inside = (min(end + timedelta(days=1), following) - max(start, month)).days
            key = (month, label(row.channel))
            cost[key] = cost.get(key, 0.0) + total * inside / days
            month = following
    return cost


def test_campaign_cost_per_channel_and_month(raw, mart):
    found = mart(
        "select month, channel, sum(campaign_cost_amount) as cost"
        " from marts.marketing_kpis_monthly group by all"
    )
    # rounded to cents per segment row: four rows per channel-month at most
    assert_same(
        as_dict(found, ["month", "channel"], "cost"), campaign_cost_by_channel_month(raw), 0.05
    )


def test_marketing_cost_per_opportunity(raw, mart):
    """Cost per opportunity per month, channel and segment: the channel-month cost
    shared by the segments' leads, divided by the segment's opportunities."""
    cost = campaign_cost_by_channel_month(raw)
    leads = raw.leads.assign(converted=converted_in_window(raw.leads))
    counts = leads.groupby(["month", "channel", "segment"]).agg(
        leads=("lead_id", "size"), opportunities=("converted", "sum")
    )
    channel_leads = counts.groupby(["month", "channel"])["leads"].sum()
    expected = {
        (month, channel, segment): cost[(month, channel)]
        * row.leads
        / channel_leads[(month, channel)]
        / row.opportunities
        for (month, channel, segment), row in counts.iterrows()
        if row.opportunities > 0 and (month, channel) in cost
    }
    found = mart(
        "select month, channel, segment, cost_per_opportunity_amount"
        " from marts.marketing_kpis_monthly where cost_per_opportunity_amount is not null"
    )
    found = as_dict(found, ["month", "channel", "segment"], "cost_per_opportunity_amount")
    assert_same(found, expected, 0.01)


# --- inside sales ---------------------------------------------------------------------


def new_business(raw: Exports) -> pd.DataFrame:
    deals = raw.deals
    return deals[deals["type"] == "new_business"]


def test_opportunities_created_per_sdr_and_month(raw, mart):
    deals = new_business(raw)
    deals = deals[deals["created_by_id"].str.strip() != ""]
    expected = (
        deals.assign(
            month=deals["created_at"].map(month_of), sdr=deals["created_by_id"].str.strip()
        )
        .groupby(["month", "sdr"])
        .size()
        .to_dict()
    )
    found = mart(
        "select month, user_id, opportunities_created_count from marts.inside_sales_kpis_monthly"
        " where not is_team_row and opportunities_created_count > 0"
    )
    assert_same(as_dict(found, ["month", "user_id"], "opportunities_created_count"), expected)


def test_handoff_acceptance_per_sdr(raw, mart):
    """Accepted: the AE took the deal on (it reached Accepted or any later open or won
    stage); rejected: never accepted and lost as `rejected_handoff`."""
    deals = new_business(raw)
    deals = deals[deals["created_by_id"].str.strip() != ""].copy()
    deals["rejected"] = ~deals["is_accepted"] & (
        deals["lost_reason"].map(label) == "rejected_handoff"
    )
    totals = deals.groupby(deals["created_by_id"].str.strip())[["is_accepted", "rejected"]].sum()
    found = mart(
        "select user_id, sum(accepted_count) as accepted, sum(rejected_count) as rejected"
        " from marts.inside_sales_kpis_monthly where not is_team_row group by user_id"
    ).set_index("user_id")
    assert_same(found["accepted"].to_dict(), totals["is_accepted"].to_dict())
    assert_same(found["rejected"].to_dict(), totals["rejected"].to_dict())
    rate = totals["is_accepted"] / (totals["is_accepted"] + totals["rejected"])
    found_rate = found["accepted"] / (found["accepted"] + found["rejected"])
    assert_same(found_rate.to_dict(), rate.to_dict(), 1e-12)
    # and the team row is the ratio of the totals
    (team,) = mart(
        "select sum(accepted_count) / sum(accepted_count + rejected_count) as rate"
        " from marts.inside_sales_kpis_monthly where is_team_row"
    )["rate"]
    assert team == pytest.approx(totals["is_accepted"].sum() / totals.sum().sum(), abs=1e-12)


def test_activities_and_leads_worked_per_sdr_and_month(raw, mart):
    """Calls, emails and meetings an SDR owned in a month they held the inside sales
    role (the activity KPIs count no other type)."""
    activities = read(raw.folder, "activities").drop_duplicates()
    activities = activities[activities["activity_id"].str.strip() != ""]
    activities = activities[
        activities["activity_type"].map(label).isin({"call", "email", "meeting"})
    ]
    opportunity = activities["opportunity_id"].str.strip()
    activities = activities[(opportunity == "") | opportunity.isin(raw.opportunities.index)]
    activities = activities.assign(
        month=activities["occurred_at"].map(parse_timestamp).map(month_of),
        owner=activities["owner_id"].str.strip(),
        lead=activities["lead_id"].str.strip().replace("", None),
    )
    roles = read(raw.folder, "user_roles")
    roles = roles[roles["role_label"].map(label).isin({"sdr", "inside sales", "인사이드세일즈"})]
    sdr_months = set()
    for row in roles.itertuples():
        start = month_of(parse_timestamp(row.valid_from))
        end = parse_timestamp(row.valid_to) or raw.as_of + timedelta(seconds=1)
        month = start
        while month < end:
            sdr_months.add((month, row.user_id.strip()))
            month += pd.DateOffset(months=1)
    in_role = [
        key in sdr_months for key in zip(activities["month"], activities["owner"], strict=True)
    ]
    grouped = activities[in_role].groupby(["month", "owner"])
    found = mart(
        "select month, user_id, activities_count, leads_worked_count"
        " from marts.inside_sales_kpis_monthly where not is_team_row and activities_count > 0"
    )
    assert_same(as_dict(found, ["month", "user_id"], "activities_count"), grouped.size().to_dict())
    assert_same(
        as_dict(found, ["month", "user_id"], "leads_worked_count"),
        grouped["lead"].nunique().to_dict(),
    )


# --- field sales -----------------------------------------------------------------------


def closed_by_ae(raw: Exports) -> pd.DataFrame:
    """Every decided new-business deal (accepted or not), with the AE who owned it at close."""
    deals = new_business(raw)
    deals = deals[deals["is_closed"] & deals["closing_owner"].notna()].copy()
    deals["month"] = deals["closed_at"].map(month_of)
    deals["cycle_days"] = (deals["closed_at"] - deals["created_at"]).dt.total_seconds() / 86400
    return deals


def test_wins_per_ae_and_month(raw, mart):
    won = closed_by_ae(raw).query("is_won")
    expected = won.groupby(["month", "closing_owner"]).size().to_dict()
    found = mart(
        "select month, user_id, won_count from marts.field_sales_kpis_monthly"
        " where not is_team_row and won_count > 0"
    )
    assert_same(as_dict(found, ["month", "user_id"], "won_count"), expected)


def test_won_amount_per_ae_and_month(raw, mart):
    won = closed_by_ae(raw).query("is_won")
    grouped = won.groupby(["month", "closing_owner"])["amount_krw"]
    found = mart(
        "select month, user_id, won_amount from marts.field_sales_kpis_monthly"
        " where not is_team_row and won_count > 0"
    )
    expected = grouped.sum().to_dict()
    tolerance = 0.01 * grouped.size().max()
    assert_same(as_dict(found, ["month", "user_id"], "won_amount"), expected, tolerance)


def test_win_rate_per_ae(raw, mart):
    closed = closed_by_ae(raw)
    totals = closed.groupby("closing_owner")["is_won"].agg(["sum", "size"])
    found = mart(
        "select user_id, sum(won_count) as won, sum(closed_count) as closed"
        " from marts.field_sales_kpis_monthly where not is_team_row group by user_id"
        " having sum(closed_count) > 0"
    ).set_index("user_id")
    assert_same(found["closed"].to_dict(), totals["size"].to_dict())
    assert_same(
        (found["won"] / found["closed"]).to_dict(),
        (totals["sum"] / totals["size"]).to_dict(),
        1e-12,
    )


def test_median_won_cycle_days_per_ae_and_month(raw, mart):
    won = closed_by_ae(raw).query("is_won")
    expected = won.groupby(["month", "closing_owner"])["cycle_days"].median().to_dict()
    found = mart(
        "select month, user_id, median_won_cycle_days from marts.field_sales_kpis_monthly"
        " where not is_team_row and won_count > 0"
    )
    assert_same(as_dict(found, ["month", "user_id"], "median_won_cycle_days"), expected, 1e-6)


# --- funnel --------------------------------------------------------------------------------


def test_stage_conversion_per_cohort(raw, mart):
    """Of the new-business deals created in a month: for each funnel stage they
    reached (visited, jumped over on a forward move, or passed at creation by a deal
    created at a later stage; created lost, only the first), whether
    they advanced from it (ever moved on to a later stage that is not a loss), were
    lost there (did not advance and are closed) or are still open there."""
    deals = new_business(raw)
    visits = raw.stage_visits.groupby("opportunity_id")["stage"].agg(list)
    rows = []
    for deal, stages in visits.items():
        if deal not in deals.index:
            continue
        reached, advanced = set(), set()
        if stages[0] in ORDER and ORDER[stages[0]] > 0:
            passed = set(FUNNEL[: ORDER[stages[0]]])
            reached |= passed
            advanced |= passed
        elif stages[0] in LOST:
            reached.add(FUNNEL[0])
        for before, after in zip(stages, [*stages[1:], None], strict=True):
            if before in FUNNEL:
                reached.add(before)
            if before in ORDER and after in ORDER and ORDER[after] > ORDER[before]:
                advanced.add(before)
                jumped = set(FUNNEL[ORDER[before] + 1 : ORDER[after]])
                reached |= jumped
                advanced |= jumped
        closed = deals.at[deal, "is_closed"]
        cohort = month_of(deals.at[deal, "created_at"])
        for stage in reached:
            outcome = "advanced" if stage in advanced else "lost" if closed else "open"
            rows.append((cohort, stage, outcome))
    expected = pd.DataFrame(rows, columns=["cohort_month", "stage", "outcome"])
    counts = expected.groupby(["cohort_month", "stage", "outcome"]).size().unstack(fill_value=0)
    found = mart(
        "select cohort_month, stage, sum(entered_count) as entered,"
        " sum(advanced_count) as advanced, sum(lost_count) as lost, sum(still_open_count) as open"
        " from marts.funnel_stage_conversion group by all"
    )
    for outcome in ("advanced", "lost", "open"):
        assert_same(as_dict(found, ["cohort_month", "stage"], outcome), counts[outcome].to_dict())
    assert_same(as_dict(found, ["cohort_month", "stage"], "entered"), counts.sum(axis=1).to_dict())
    rates = counts["advanced"] / (counts["advanced"] + counts["lost"])
    found_rates = found.assign(rate=found["advanced"] / (found["advanced"] + found["lost"]))
    assert_same(
        as_dict(found_rates.dropna(), ["cohort_month", "stage"], "rate"),
        rates.dropna().to_dict(),
        1e-12,
    )


def open_deals_at(raw: Exports, moment: datetime) -> pd.DataFrame:
    """New-business deals open at a moment: created by then, last stage by then not closed."""
    visits = raw.stage_visits[raw.stage_visits["changed_at"] <= moment]
    stage = visits.groupby("opportunity_id").tail(1).set_index("opportunity_id")["stage"]
    deals = new_business(raw)
    deals = deals[deals["created_at"] <= moment].assign(stage_then=stage)
    return deals[deals["stage_then"].notna() & ~deals["stage_then"].isin(WON | LOST)]


def test_open_pipeline_at_each_month_end(raw, mart):
    """The waterfall's closing count: deals open at the end of the month's last day
    (the as-of moment in the as-of month)."""
    found = mart(
        "select month, segment, closing_count from marts.pipeline_waterfall where closing_count > 0"
    )
    expected = {}
    for month in sorted(found["month"].unique()):
        end = min(
            pd.Timestamp(month) + pd.DateOffset(months=1),
            pd.Timestamp(raw.as_of.date()) + timedelta(days=1),
        )
        moment = end.to_pydatetime() - timedelta(microseconds=1)
        for segment, count in open_deals_at(raw, moment).groupby("segment").size().items():
            expected[(pd.Timestamp(month), segment)] = count
    assert_same(as_dict(found, ["month", "segment"], "closing_count"), expected)


def amount_at(raw: Exports, deal: str, moment: datetime) -> float:
    """A deal's amount at a moment, from its amount history."""
    changes = raw.changes[
        (raw.changes["opportunity_id"] == deal) & (raw.changes["field"] == "amount")
    ].sort_values(["changed_at", "position"])
    if changes.empty:
        return raw.opportunities.at[deal, "amount"]
    value = parse_money(changes["old_value"].iloc[0])
    for row in changes.itertuples():
        if row.changed_at <= moment:
            value = parse_money(row.new_value)
    return value


def test_open_pipeline_as_of_date(raw, mart):
    """forecast_pipeline: the deals open at the as-of moment, at their amount then,
    in KRW at the as-of day's rate."""
    open_now = open_deals_at(raw, raw.as_of)
    day = pd.Timestamp(raw.as_of.date())
    expected = {
        deal: round(amount_at(raw, deal, raw.as_of) * raw.rate(row.currency, day), 2)
        for deal, row in open_now.iterrows()
    }
    found = mart("select opportunity_id, amount, stage from marts.forecast_pipeline")
    assert_same(
        as_dict(found, ["opportunity_id"], "amount"), {(k,): v for k, v in expected.items()}, 0.01
    )
    stages = dict(zip(found["opportunity_id"], found["stage"], strict=True))
    assert stages == open_now["stage_then"].to_dict()


# --- customer success ------------------------------------------------------------------------


def test_renewals_due_renewed_churned_per_month(raw, mart):
    """Contracts by the month their term ends: renewed / churned from the renewal
    opportunity's current stage, else the contract status; due up to the as-of
    month, later only with the renewal in motion."""
    contracts = read(raw.folder, "contracts").drop_duplicates()
    contracts["end_date"] = contracts["end_date"].map(parse_date)
    contracts["status"] = contracts["status"].map(label)
    renewal = contracts["renewal_opportunity_id"].str.strip()
    stage = renewal.map(raw.deals["stage"])
    contracts["outcome"] = [
        "renewed"
        if s in WON
        else "churned"
        if s in LOST
        else status
        if status in {"renewed", "churned"}
        else "pending"
        for s, status in zip(stage, contracts["status"], strict=True)
    ]
    last_month = month_of(raw.as_of)
    due = contracts[
        (contracts["end_date"].map(month_of) <= last_month)
        | (renewal != "")
        | contracts["status"].isin({"renewed", "churned"})
    ]
    counts = due.groupby([due["end_date"].map(month_of), "outcome"]).size().unstack(fill_value=0)
    found = mart(
        "select month, renewals_due_count as due, renewed_count as renewed,"
        " churned_count as churned, renewal_pending_count as pending"
        " from marts.customer_success_kpis_monthly where is_team_row and renewals_due_count > 0"
    )
    for outcome in ("renewed", "churned", "pending"):
        expected = counts[outcome].to_dict() if outcome in counts else {}
        assert_same(as_dict(found, ["month"], outcome), {(k,): v for k, v in expected.items()})
    assert_same(as_dict(found, ["month"], "due"), {(k,): v for k, v in counts.sum(axis=1).items()})
