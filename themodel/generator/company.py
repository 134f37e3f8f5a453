"""Simulate the demo company: leads, hand-offs, deals, contracts, renewals.

Everything is drawn from one seeded random.Random, so a seed and a scale give
the same company every time. The simulation produces clean rows (canonical
labels, ISO timestamps); the mess is added afterwards by mess.py and never
touches the truth.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from themodel.generator.calendar import (
    MONTHS,
    WINDOW_END,
    WINDOW_START,
    add_days,
    iso,
    iso_date,
    month_label,
    month_of,
    month_start,
    quarter_label,
)
from themodel.generator.people import ROLE_LABELS, Staff, build_staff

# Canonical stage -> the English label the generic export carries.
STAGE_LABELS = {
    "opportunity_created": "Handed Off",
    "accepted": "Accepted",
    "discovery": "Discovery",
    "proposal": "Proposal",
    "negotiation": "Negotiation",
    "commit": "Commit",
    "closed_won": "Closed Won",
    "closed_lost": "Closed Lost",
    "renewal_due": "Renewal Due",
    "renewed": "Renewed",
    "churned": "Churned",
}
LEAD_STATUS_LABELS = {
    "new": "New",
    "mql": "MQL",
    "working": "Working",
    "nurture": "Nurture",
    "recycled": "Recycled",
    "qualified": "Qualified",
    "converted": "Converted",
    "disqualified": "Disqualified",
}
SEGMENTS = ("smb", "mid_market", "enterprise")
CHANNELS = {  # channel: (share of leads, MQL rate, cost per lead in KRW)
    "web": (0.30, 0.55, 40_000),
    "paid_search": (0.20, 0.45, 65_000),
    "event": (0.15, 0.70, 120_000),
    "referral": (0.10, 0.80, 20_000),
    "partner": (0.10, 0.65, 50_000),
    "outbound": (0.15, 0.50, 30_000),
}
INDUSTRIES = (
    "software",
    "manufacturing",
    "finance",
    "retail",
    "healthcare",
    "logistics",
    "education",
    "media",
)
COUNTRIES = ("KR", "KR", "KR", "JP", "US", "SG")
AMOUNT_RANGE = {
    "smb": (5_000_000, 15_000_000),
    "mid_market": (20_000_000, 60_000_000),
    "enterprise": (80_000_000, 300_000_000),
}
BASE_DAYS = {  # typical days in each stage by segment
    "smb": {"accepted": 3, "discovery": 6, "proposal": 8, "negotiation": 6, "commit": 4},
    "mid_market": {"accepted": 4, "discovery": 10, "proposal": 14, "negotiation": 10, "commit": 6},
    "enterprise": {"accepted": 5, "discovery": 18, "proposal": 25, "negotiation": 18, "commit": 10},
}
ADVANCE = {  # probability of moving on from a stage, by segment
    "accepted": {"smb": 0.90, "mid_market": 0.90, "enterprise": 0.92},
    "discovery": {"smb": 0.72, "mid_market": 0.70, "enterprise": 0.70},
    "proposal": {"smb": 0.62, "mid_market": 0.60, "enterprise": 0.62},
    "negotiation": {"smb": 0.78, "mid_market": 0.75, "enterprise": 0.75},
    "commit": {"smb": 0.85, "mid_market": 0.82, "enterprise": 0.80},
}
STORY = {
    "bottleneck": {
        "segment": "enterprise",
        "from_stage": "proposal",
        "to_stage": "negotiation",
        "from_month": 19,
        "rate_before": 0.62,
        "rate_after": 0.22,
    },
    "competitor": {
        "name": "Rivalo",
        "from_month": 15,
        "contest_share": 0.35,
        "win_rate_when_contested": 0.2,
    },
    "overload": {
        "quarter": "2025-Q2",
        "months": [16, 17, 18],
        "lead_multiplier": 2.6,
        "stage_time_multiplier": 1.6,
    },
    "acceptance": {"loose": 0.5, "strict": 0.94, "team": 0.76},
    "usd_share": 0.2,
}
LOST_REASONS = ("no_budget", "no_decision", "price", "timing", "lost_to_competitor")
OTHER_COMPETITORS = ("Legacy Suite", "Comptor")
USD_RATE_START = 1310.0


@dataclass
class Deal:
    opportunity_id: str
    account_id: str
    segment: str
    lead_id: str | None
    opportunity_type: str
    created_at: datetime
    created_by_id: str | None
    owner_id: str
    currency: str
    amount: float
    close_date: datetime
    stage: str = "opportunity_created"
    forecast_category: str = "pipeline"
    is_closed: bool = False
    is_won: bool = False
    lost_reason: str | None = None
    competitor: str | None = None
    handoff_note: str | None = None
    bant: tuple[bool, bool, bool, bool] = (False, False, False, False)
    modified_at: datetime | None = None
    changes: list[dict] = field(default_factory=list)


class Company:
    """Runs the simulation; rows end up in self.tables, figures in self.truth."""

    def __init__(self, scale: int, seed: int) -> None:
        self.scale, self.seed = scale, seed
        self.rng = random.Random(seed)
        self.staff: Staff = build_staff(scale)
        self.tables: dict[str, list[dict]] = defaultdict(list)
        self.deals: dict[str, Deal] = {}
        self.transitions: Counter = Counter()
        self.lead_transitions: Counter = Counter()
        self.usd_rates: dict[str, float] = {}
        self.counters: Counter = Counter()
        self.reassigned: list[str] = []
        self.open_by_ae_day: Counter = Counter()
        self.weight_cache: dict = {}

    # ---- helpers -------------------------------------------------------------------------
    def next_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}-{self.counters[prefix]:07d}"

    def uniform_in_month(self, month: int) -> datetime:
        start = month_start(month)
        span = (month_start(month + 1) - start).total_seconds() / 86400
        return add_days(start, self.rng.uniform(0, span - 0.01))

    def pick_weighted(self, role: str, moment: datetime):
        """Someone in the role, weighted by ramp; weights are cached per epoch like Staff.active."""
        key = (role, self.staff.epoch(moment))
        entry = self.weight_cache.get(key)
        if entry is None:
            people = self.staff.active(role, moment)
            entry = (people, list(accumulate(p.ramp_weight(moment) for p in people)))
            self.weight_cache[key] = entry
        people, cumulative = entry
        if not people or cumulative[-1] == 0:
            return None
        return self.rng.choices(people, cum_weights=cumulative, k=1)[0]

    def krw(self, amount: float, currency: str, day: datetime) -> float:
        return amount if currency == "KRW" else amount * self.usd_rates[iso_date(day)]

    # ---- reference data ------------------------------------------------------------------
    def build_reference(self) -> None:
        rate = USD_RATE_START
        day = WINDOW_START - timedelta(days=31)
        while day <= WINDOW_END + timedelta(days=400):
            rate = round(rate * (1 + self.rng.gauss(0, 0.003)), 2)
            self.usd_rates[iso_date(day)] = rate
            if day <= WINDOW_END:
                self.tables["exchange_rates"].append(
                    {
                        "rate_date": iso_date(day),
                        "currency": "USD",
                        "base_currency": "KRW",
                        "rate": f"{rate:.2f}",
                    }
                )
                self.tables["exchange_rates"].append(
                    {
                        "rate_date": iso_date(day),
                        "currency": "EUR",
                        "base_currency": "KRW",
                        "rate": f"{rate * 1.08:.2f}",
                    }
                )
            day += timedelta(days=1)

        for person in self.staff.people.values():
            self.tables["users"].append(
                {
                    "user_id": person.user_id,
                    "full_name": person.full_name,
                    "email": f"{person.user_id}@demo-company.example",
                    "manager_id": person.manager_id or "",
                    "hired_at": iso(person.hired_at),
                    "terminated_at": iso(person.terminated_at),
                    "modified_at": iso(person.terminated_at or person.hired_at),
                }
            )
            for stint in person.stints:
                self.tables["user_roles"].append(
                    {
                        "user_id": person.user_id,
                        "role_label": ROLE_LABELS[stint.role],
                        "team": stint.team,
                        "valid_from": iso(stint.valid_from),
                        "valid_to": iso(stint.valid_to),
                    }
                )

        self.accounts = []
        for number in range(1, 1500 * self.scale + 1):
            segment = self.rng.choices(SEGMENTS, weights=(0.55, 0.30, 0.15))[0]
            employees = {"smb": (5, 99), "mid_market": (100, 999), "enterprise": (1000, 50000)}[
                segment
            ]
            account = {
                "account_id": f"acc-{number:07d}",
                "account_name": f"Demo Account {number}",
                "industry": self.rng.choice(INDUSTRIES),
                "employee_count": str(self.rng.randint(*employees)),
                # a third of the accounts leave segment empty: staging derives it
                "segment": segment if self.rng.random() < 0.67 else "",
                "country": self.rng.choice(COUNTRIES),
                "created_at": iso(add_days(WINDOW_START, -self.rng.uniform(30, 700))),
            }
            account["modified_at"] = iso(add_days(WINDOW_START, -self.rng.uniform(1, 29)))
            self.tables["accounts"].append(account)
            self.accounts.append((account["account_id"], segment))

        self.campaigns: dict[tuple[str, int], str] = {}
        for quarter in range(8):
            first_month = quarter * 3 + 1
            for channel, (_, _, cost_per_lead) in CHANNELS.items():
                campaign_id = f"cmp-{quarter + 1:02d}-{channel}"
                self.campaigns[(channel, quarter)] = campaign_id
                expected_leads = 600 * self.scale * CHANNELS[channel][0]
                marketers = self.staff.active("marketing", month_start(first_month))
                owner = marketers[len(self.campaigns) % len(marketers)].user_id
                self.tables["campaigns"].append(
                    {
                        "campaign_id": campaign_id,
                        "campaign_name": f"{quarter_label(month_start(first_month))} {channel}",
                        "channel": channel,
                        "cost": str(int(round(expected_leads * cost_per_lead, -4))),
                        "currency": "KRW",
                        "start_date": iso_date(month_start(first_month)),
                        "end_date": iso_date(month_start(first_month + 3) - timedelta(days=1)),
                        "owner_id": owner,
                    }
                )

    # ---- leads ---------------------------------------------------------------------------
    def lead_event(self, lead: dict, at: datetime, old: str | None, new: str) -> bool:
        """Record a status change; False once the window has ended."""
        if at > WINDOW_END:
            return False
        self.tables["lead_status_events"].append(
            {
                "event_id": self.next_id("lse"),
                "lead_id": lead["lead_id"],
                "changed_at": iso(at),
                "from_status": LEAD_STATUS_LABELS[old] if old else "",
                "to_status": LEAD_STATUS_LABELS[new],
            }
        )
        self.lead_transitions[(month_label(at), old or "", new)] += 1
        lead["status"], lead["modified_at"] = LEAD_STATUS_LABELS[new], iso(at)
        return True

    def activity(
        self,
        at: datetime,
        kind: str,
        owner: str,
        lead_id: str = "",
        opportunity_id: str = "",
        account_id: str = "",
    ) -> None:
        leaving = self.staff.people[owner].terminated_at
        if at > WINDOW_END or (leaving is not None and at >= leaving):
            return
        self.tables["activities"].append(
            {
                "activity_id": self.next_id("act"),
                "occurred_at": iso(at),
                "activity_type": kind,
                "owner_id": owner,
                "lead_id": lead_id,
                "opportunity_id": opportunity_id,
                "account_id": account_id,
                "duration_seconds": str(self.rng.randint(60, 3600) if kind != "email" else 0),
                "outcome": self.rng.choice(("connected", "no_answer", "left_message", "sent"))
                if kind != "meeting"
                else "held",
            }
        )

    def simulate_leads(self) -> None:
        rng = self.rng
        overload = STORY["overload"]
        channels, shares = list(CHANNELS), [c[0] for c in CHANNELS.values()]
        for month in range(1, MONTHS + 1):
            count = 150 * self.scale * (1 + 0.02 * month)
            if month in overload["months"]:
                count *= overload["lead_multiplier"]
            for _ in range(int(round(count))):
                created = self.uniform_in_month(month)
                channel = rng.choices(channels, weights=shares)[0]
                account_id, segment = rng.choice(self.accounts)
                lead = {
                    "lead_id": self.next_id("lead"),
                    "created_at": iso(created),
                    "account_id": account_id,
                    "channel": channel,
                    "campaign_id": self.campaigns[(channel, (month - 1) // 3)],
                    "owner_id": "",
                    "status": "",
                    "converted_at": "",
                    "converted_opportunity_id": "",
                    "disqualified_reason": "",
                    "has_budget": "",
                    "has_authority": "",
                    "has_need": "",
                    "has_timeline": "",
                    "fit_score": str(rng.randint(10, 100)),
                    "contact_name": f"Contact {self.counters['lead']}",
                    "email": f"contact{self.counters['lead']}@{account_id}.example",
                    "phone": f"+82-10-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                    "modified_at": iso(created),
                }
                self.tables["leads"].append(lead)
                self.lead_event(lead, created, None, "new")
                self.work_lead(lead, created, channel, segment, account_id)

    def work_lead(self, lead, created, channel, segment, account_id) -> None:
        rng = self.rng
        if rng.random() >= CHANNELS[channel][1]:
            if rng.random() < 0.3:
                self.lead_event(lead, add_days(created, rng.uniform(5, 20)), "new", "nurture")
            return
        at = add_days(created, rng.uniform(0.05, 3))
        if not self.lead_event(lead, at, "new", "mql"):
            return
        previous = "mql"
        for attempt in range(2):
            sdr = self.pick_weighted("inside_sales", at)
            if sdr is None:
                return
            lead["owner_id"] = sdr.user_id
            first_touch = add_days(
                at, rng.uniform(0.02, 0.6 if sdr.user_id != "u-sdr-003" else 0.2)
            )
            if not self.lead_event(lead, first_touch, previous, "working"):
                return
            touches = rng.randint(1, 4)
            for touch in range(touches):
                self.activity(
                    add_days(first_touch, touch * rng.uniform(0.5, 3)),
                    rng.choice(("call", "call", "email")),
                    sdr.user_id,
                    lead_id=lead["lead_id"],
                    account_id=account_id,
                )
            decided = add_days(first_touch, rng.uniform(2, 18))
            p_convert = {"u-sdr-003": 0.45, "u-sdr-004": 0.2}.get(sdr.user_id, 0.3)
            if attempt == 1:
                p_convert *= 0.6
            if rng.random() < p_convert:
                if not self.lead_event(lead, decided, "working", "qualified"):
                    return
                converted = add_days(decided, rng.uniform(0.01, 0.3))
                if converted > WINDOW_END:
                    return
                deal = self.hand_off(lead, converted, sdr.user_id, segment, account_id)
                lead["converted_at"] = iso(converted)
                lead["converted_opportunity_id"] = deal.opportunity_id
                self.lead_event(lead, converted, "qualified", "converted")
                return
            if rng.random() < 0.5 or attempt == 1:
                lead["disqualified_reason"] = rng.choice(
                    ("no_budget", "not_a_fit", "no_response", "competitor_customer")
                )
                self.lead_event(lead, decided, "working", "disqualified")
                return
            if not self.lead_event(lead, decided, "working", "nurture"):
                return
            if rng.random() >= 0.35:
                return
            at = add_days(decided, rng.uniform(25, 60))
            if not self.lead_event(lead, at, "nurture", "recycled"):
                return
            if not self.lead_event(lead, add_days(at, 0.01), "recycled", "mql"):
                return
            at, previous = add_days(at, 0.01), "mql"

    # ---- opportunities -------------------------------------------------------------------
    def deal_change(self, deal: Deal, at: datetime, field_name: str, old, new) -> None:
        deal.changes.append(
            {
                "changed_at": at,
                "field": field_name,
                "old_value": old,
                "new_value": new,
                "changed_by_id": deal.owner_id,
            }
        )
        deal.modified_at = at

    def set_stage(self, deal: Deal, at: datetime, stage: str) -> bool:
        if at > WINDOW_END:
            return False
        old = deal.stage if deal.changes else None
        self.deal_change(deal, at, "stage", STAGE_LABELS[old] if old else "", STAGE_LABELS[stage])
        if old is not None:
            self.transitions[
                (month_label(at), deal.segment, deal.opportunity_type, old, stage)
            ] += 1
        deal.stage = stage
        return True

    def new_deal(
        self,
        *,
        account_id,
        segment,
        lead_id,
        opportunity_type,
        created,
        created_by,
        owner,
        amount_krw,
        cycle_days,
    ) -> Deal:
        currency = "USD" if self.rng.random() < STORY["usd_share"] else "KRW"
        amount = (
            round(amount_krw / self.usd_rates[iso_date(created)], -2)
            if currency == "USD"
            else round(amount_krw, -4)
        )
        deal = Deal(
            self.next_id("opp"),
            account_id,
            segment,
            lead_id,
            opportunity_type,
            created,
            created_by,
            owner,
            currency,
            amount,
            add_days(created, cycle_days).replace(hour=0, minute=0),
        )
        self.deals[deal.opportunity_id] = deal
        return deal

    def hand_off(self, lead, at, sdr_id, segment, account_id) -> Deal:
        rng = self.rng
        ae = self.pick_weighted("field_sales", at)
        cycle = sum(BASE_DAYS[segment].values()) * rng.uniform(0.8, 1.3)
        deal = self.new_deal(
            account_id=account_id,
            segment=segment,
            lead_id=lead["lead_id"],
            opportunity_type="new_business",
            created=at,
            created_by=sdr_id,
            owner=ae.user_id,
            amount_krw=rng.uniform(*AMOUNT_RANGE[segment]),
            cycle_days=cycle,
        )
        p_flag = {"u-sdr-003": 0.45, "u-sdr-004": 0.95}.get(sdr_id, 0.8)
        deal.bant = tuple(rng.random() < p_flag for _ in range(4))
        for name, value in zip(
            ("has_budget", "has_authority", "has_need", "has_timeline"), deal.bant, strict=True
        ):
            lead[name] = "true" if value else "false"
        deal.handoff_note = rng.choice(
            (
                "Budget confirmed for next quarter; wants a demo.",
                "Inbound from webinar, evaluating three vendors.",
                "Champion in IT, decision maker not yet engaged.",
                "Replacing spreadsheets; timeline this half.",
            )
        )
        self.set_stage(deal, at, "opportunity_created")
        self.run_deal(deal, sdr_id)
        return deal

    def stage_days(self, deal: Deal, stage: str, entered: datetime) -> float:
        days = BASE_DAYS[deal.segment][stage] * self.rng.uniform(0.5, 1.5)
        if month_of(entered) in STORY["overload"]["months"]:
            days *= STORY["overload"]["stage_time_multiplier"]
        return days

    def advance_probability(self, deal: Deal, stage: str, at: datetime) -> float:
        p = ADVANCE[stage][deal.segment]
        story = STORY["bottleneck"]
        if (
            stage == story["from_stage"]
            and deal.segment == story["segment"]
            and month_of(at) >= story["from_month"]
        ):
            p = story["rate_after"]
        if deal.owner_id == self.staff.story["best_ae_id"]:
            p = min(0.97, p + 0.1)
        return p

    def lose(self, deal: Deal, at: datetime, reason: str) -> None:
        if self.set_stage(deal, at, "closed_lost"):
            deal.is_closed, deal.lost_reason = True, reason
            deal.forecast_category = "omitted"
            self.deal_change(deal, at, "forecast_category", "", "omitted")

    def run_deal(self, deal: Deal, sdr_id: str | None) -> None:
        """Walk a new-business or expansion deal through the funnel until it closes or time ends."""
        rng = self.rng
        at = deal.created_at
        if deal.opportunity_type == "new_business":
            at = add_days(at, rng.uniform(0.5, 4))
            acceptance = {
                "u-sdr-003": STORY["acceptance"]["loose"],
                "u-sdr-004": STORY["acceptance"]["strict"],
            }.get(sdr_id, STORY["acceptance"]["team"])
            if rng.random() >= acceptance:
                self.lose(deal, at, "rejected_handoff")
                return
            if not self.set_stage(deal, at, "accepted"):
                return
            self.activity(
                add_days(at, 0.1),
                "meeting",
                deal.owner_id,
                opportunity_id=deal.opportunity_id,
                account_id=deal.account_id,
            )
        path = ["accepted", "discovery", "proposal", "negotiation", "commit"]
        stage = deal.stage
        regressed = False
        while True:
            at = add_days(at, self.stage_days(deal, stage, at))
            if at > WINDOW_END:
                return
            self.activity(
                add_days(at, -0.5),
                rng.choice(("meeting", "email", "call")),
                deal.owner_id,
                opportunity_id=deal.opportunity_id,
                account_id=deal.account_id,
            )
            p = self.advance_probability(deal, stage, at)
            contested = deal.competitor == STORY["competitor"]["name"]
            if contested and stage in ("negotiation", "commit"):
                p = 0.45  # the new competitor wins most of the deals it contests
            if rng.random() >= p:
                reason = "lost_to_competitor" if deal.competitor else rng.choice(LOST_REASONS[:4])
                self.lose(deal, at, reason)
                return
            if stage == "commit":
                self.win(deal, at)
                return
            following = path[path.index(stage) + 1]
            if stage == "accepted" and rng.random() < 0.1:
                following = "proposal"  # skipped discovery
            if stage == "negotiation" and not regressed and rng.random() < 0.08:
                following, regressed = "proposal", True  # moved back
            if stage == "negotiation" and following == "commit" and rng.random() < 0.05:
                self.win(deal, at)  # skipped commit
                return
            if not self.set_stage(deal, at, following):
                return
            self.on_enter(deal, following, at)
            stage = following

    def on_enter(self, deal: Deal, stage: str, at: datetime) -> None:
        rng = self.rng
        if stage == "proposal" and deal.competitor is None:
            self.deal_change(deal, at, "forecast_category", deal.forecast_category, "best_case")
            deal.forecast_category = "best_case"
            new_amount = round(
                deal.amount * rng.uniform(0.8, 1.3), -2 if deal.currency == "USD" else -4
            )
            self.deal_change(deal, at, "amount", deal.amount, new_amount)
            deal.amount = new_amount
            month = month_of(at)
            competitor = STORY["competitor"]
            if month >= competitor["from_month"] and rng.random() < competitor["contest_share"]:
                deal.competitor = competitor["name"]
            elif rng.random() < 0.2:
                deal.competitor = rng.choice(OTHER_COMPETITORS)
        if stage == "negotiation" and rng.random() < 0.3:
            new_amount = round(deal.amount * 0.9, -2 if deal.currency == "USD" else -4)
            self.deal_change(deal, at, "amount", deal.amount, new_amount)
            deal.amount = new_amount
        if stage == "negotiation" and rng.random() < 0.25:
            pushed = deal.close_date + timedelta(days=rng.randint(14, 45))
            self.deal_change(deal, at, "close_date", iso_date(deal.close_date), iso_date(pushed))
            deal.close_date = pushed
        if stage == "commit":
            self.deal_change(deal, at, "forecast_category", deal.forecast_category, "commit")
            deal.forecast_category = "commit"

    def win(self, deal: Deal, at: datetime) -> None:
        if not self.set_stage(deal, at, "closed_won"):
            return
        deal.is_closed, deal.is_won = True, True
        self.deal_change(deal, at, "forecast_category", deal.forecast_category, "closed")
        deal.forecast_category = "closed"
        if deal.close_date.date() != at.date():
            self.deal_change(deal, at, "close_date", iso_date(deal.close_date), iso_date(at))
            deal.close_date = at.replace(hour=0, minute=0)
        if deal.opportunity_type == "new_business" and self.rng.random() < 0.02:
            reopened = add_days(at, self.rng.uniform(5, 20))
            if reopened <= WINDOW_END:
                deal.is_won = False
                self.lose(deal, reopened, "contract_cancelled")
                return
        if deal.opportunity_type == "new_business":
            self.pending_contracts.append(deal)

    # ---- departures ----------------------------------------------------------------------
    def reassign_departed(self) -> None:
        """The best AE leaves: their deals still open at that moment go to the other AEs."""
        best, leaving = self.staff.story["best_ae_id"], self.staff.story["best_ae_departed_at"]
        others = [p for p in self.staff.active("field_sales", leaving) if p.user_id != best]
        for deal in sorted(self.deals.values(), key=lambda d: d.opportunity_id):
            if deal.owner_id != best or deal.created_at > leaving:
                continue
            closed_before = [
                c
                for c in deal.changes
                if c["field"] == "stage"
                and c["new_value"] in ("Closed Won", "Closed Lost")
                and c["changed_at"] <= leaving
            ]
            if closed_before:
                continue
            successor = others[len(self.reassigned) % len(others)].user_id
            self.reassigned.append(deal.opportunity_id)
            deal.changes.append(
                {
                    "changed_at": leaving,
                    "field": "owner_id",
                    "old_value": best,
                    "new_value": successor,
                    "changed_by_id": "u-mgr-003",
                }
            )
            deal.owner_id = successor
            for change in deal.changes:
                if change["changed_at"] > leaving and change["changed_by_id"] == best:
                    change["changed_by_id"] = successor
            deal.modified_at = max(deal.modified_at or leaving, leaving)

    # ---- customers -----------------------------------------------------------------------
    def simulate_customers(self) -> None:
        rng = self.rng
        # a heap by (close date, id): contracts start in order, renewals join as they close
        queue = [(d.close_date, d.opportunity_id, d) for d in self.pending_contracts]
        heapq.heapify(queue)
        while queue:
            deal = heapq.heappop(queue)[2]
            start = deal.close_date + timedelta(days=1)
            csms = self.staff.active("customer_success", start)
            csm = csms[self.counters["ctr"] % len(csms)].user_id
            contract = {
                "contract_id": self.next_id("ctr"),
                "account_id": deal.account_id,
                "opportunity_id": deal.opportunity_id,
                "start_date": iso_date(start),
                "end_date": iso_date(start + timedelta(days=364)),
                "annual_value": f"{deal.amount:.2f}",
                "currency": deal.currency,
                "csm_id": csm,
                "renewal_opportunity_id": "",
                "status": "active",
            }
            self.tables["contracts"].append(contract)
            due = start + timedelta(days=364 - 90, hours=10)
            if due <= WINDOW_END:
                renewal = self.new_deal(
                    account_id=deal.account_id,
                    segment=deal.segment,
                    lead_id=None,
                    opportunity_type="renewal",
                    created=due,
                    created_by=csm,
                    owner=csm,
                    amount_krw=self.krw(deal.amount, deal.currency, deal.close_date),
                    cycle_days=90,
                )
                renewal.currency, renewal.amount = deal.currency, deal.amount
                contract["renewal_opportunity_id"] = renewal.opportunity_id
                self.set_stage(renewal, due, "renewal_due")
                decided = add_days(due, rng.uniform(45, 89))
                p_renew = {"smb": 0.78, "mid_market": 0.86, "enterprise": 0.9}[deal.segment]
                if decided <= WINDOW_END:
                    if rng.random() < p_renew:
                        self.set_stage(renewal, decided, "renewed")
                        renewal.is_closed = renewal.is_won = True
                        renewal.forecast_category = "closed"
                        renewal.close_date = start + timedelta(days=364)
                        heapq.heappush(queue, (renewal.close_date, renewal.opportunity_id, renewal))
                        contract["status"] = "renewed"
                    else:
                        self.set_stage(renewal, decided, "churned")
                        renewal.is_closed, renewal.lost_reason = True, "churn"
                        renewal.forecast_category = "omitted"
                        contract["status"] = "churned"
            if deal.opportunity_type != "renewal" and rng.random() < 0.15:
                created = add_days(start, rng.uniform(120, 200)) + timedelta(hours=10)
                if created <= WINDOW_END:
                    expansion = self.new_deal(
                        account_id=deal.account_id,
                        segment=deal.segment,
                        lead_id=None,
                        opportunity_type="expansion",
                        created=created,
                        created_by=csm,
                        owner=csm,
                        amount_krw=self.krw(deal.amount, deal.currency, created)
                        * rng.uniform(0.2, 0.4),
                        cycle_days=45,
                    )
                    self.set_stage(expansion, created, "discovery")
                    self.run_deal(expansion, None)

    # ---- output --------------------------------------------------------------------------
    def write_deals(self) -> None:
        for deal in sorted(self.deals.values(), key=lambda d: d.opportunity_id):
            self.tables["opportunities"].append(
                {
                    "opportunity_id": deal.opportunity_id,
                    "account_id": deal.account_id,
                    "lead_id": deal.lead_id or "",
                    "opportunity_type": deal.opportunity_type,
                    "created_at": iso(deal.created_at),
                    "created_by_id": deal.created_by_id or "",
                    "owner_id": deal.owner_id,
                    "stage": STAGE_LABELS[deal.stage],
                    "amount": f"{deal.amount:.2f}",
                    "currency": deal.currency,
                    "close_date": iso_date(deal.close_date),
                    "is_closed": str(deal.is_closed).lower(),
                    "is_won": str(deal.is_won).lower(),
                    "lost_reason": deal.lost_reason or "",
                    "competitor": deal.competitor or "",
                    "forecast_category": deal.forecast_category,
                    "handoff_note": deal.handoff_note or "",
                    "has_budget": str(deal.bant[0]).lower() if deal.handoff_note else "",
                    "has_authority": str(deal.bant[1]).lower() if deal.handoff_note else "",
                    "has_need": str(deal.bant[2]).lower() if deal.handoff_note else "",
                    "has_timeline": str(deal.bant[3]).lower() if deal.handoff_note else "",
                    "modified_at": iso(deal.modified_at or deal.created_at),
                }
            )
            changes = sorted(deal.changes, key=lambda c: c["changed_at"])
            for change in changes:
                self.tables["opportunity_changes"].append(
                    {
                        "change_id": self.next_id("chg"),
                        "opportunity_id": deal.opportunity_id,
                        "changed_at": iso(change["changed_at"]),
                        "field": change["field"],
                        "old_value": ""
                        if change["old_value"] is None
                        else str(change["old_value"]),
                        "new_value": str(change["new_value"]),
                        "changed_by_id": change["changed_by_id"] or "",
                    }
                )

    def write_quotas(self) -> None:
        for quarter in range(8):
            start = month_start(quarter * 3 + 1)
            for person in self.staff.active("field_sales", start + timedelta(days=45)):
                self.tables["quotas"].append(
                    {
                        "user_id": person.user_id,
                        "quarter_start_date": iso_date(start),
                        "quota_amount": str(450_000_000),
                        "currency": "KRW",
                    }
                )

    def run(self) -> None:
        self.pending_contracts: list[Deal] = []
        self.build_reference()
        self.simulate_leads()
        self.reassign_departed()
        self.simulate_customers()
        self.write_deals()
        self.write_quotas()


def simulate(scale: int, seed: int) -> Company:
    company = Company(scale, seed)
    company.run()
    return company
