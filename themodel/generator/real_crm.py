"""The `real_crm` profile: a company shaped like real CRM exports, not like the demo.

What makes it different from the demo company (themodel/generator/company.py):

- no SDR team: account executives (field_sales) create their own deals
  (created_by_id = owner_id); marketing brings leads, some of which an AE converts;
- deals are created at several stages: most at the first one, about 30% directly at
  a later working stage, a few directly as won or lost (logged after the fact);
- the company's own Spanish stage labels (STAGE_LABELS), mapped in
  seeds/stage_mapping.csv onto the canonical stages;
- no field history, no lead status history, no activities, campaigns or contracts:
  only today's state of each record (ABSENT_FILES are not written at all);
- about 10% of the deals have an empty opportunity type (new business by default);
- deals in four currencies (KRW, USD, EUR, JPY) with a daily exchange-rates file;
- close dates that get pushed while a deal is worked; a closed deal's close date is
  the day it was decided.

The truth (build_real_crm_truth) is computed from these rows alone, never from a
warehouse. Everything is drawn from one seeded random.Random.
"""

from __future__ import annotations

import random
import statistics
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate

from themodel.generator.calendar import (
    MONTHS,
    WINDOW_END,
    WINDOW_START,
    add_days,
    iso,
    iso_date,
    month_label,
    month_start,
)
from themodel.generator.people import Person, Staff, Stint
from themodel.generator.writers import COLUMNS

PROFILE = "real_crm"
# Canonical stage -> the company's own (Spanish) label; mapped in seeds/stage_mapping.csv.
STAGE_LABELS = {
    "opportunity_created": "Prospección",
    "accepted": "Calificación",
    "proposal": "Propuesta",
    "negotiation": "Negociación",
    "commit": "Compromiso",
    "closed_won": "Cerrada ganada",
    "closed_lost": "Cerrada perdida",
}
WORKING_PATH = ["opportunity_created", "accepted", "proposal", "negotiation", "commit"]
# The stage a deal is created at (a CRM lets a rep log a deal anywhere).
CREATION_STAGES = {
    "opportunity_created": 0.62,
    "accepted": 0.12,
    "proposal": 0.10,
    "negotiation": 0.08,
    "closed_won": 0.04,
    "closed_lost": 0.04,
}
STAGE_DAYS = {  # typical days in each working stage by segment
    "smb": {"opportunity_created": 5, "accepted": 6, "proposal": 8, "negotiation": 6, "commit": 4},
    "mid_market": {
        "opportunity_created": 8,
        "accepted": 10,
        "proposal": 14,
        "negotiation": 10,
        "commit": 6,
    },
    "enterprise": {
        "opportunity_created": 12,
        "accepted": 18,
        "proposal": 25,
        "negotiation": 18,
        "commit": 10,
    },
}
ADVANCE = {  # probability of moving on from a working stage
    "opportunity_created": 0.75,
    "accepted": 0.72,
    "proposal": 0.60,
    "negotiation": 0.78,
    "commit": 0.85,
}
STALL_SHARE = 0.03  # chance, at each stage step, that nobody works the deal any more
FORECAST = {
    "opportunity_created": "pipeline",
    "accepted": "pipeline",
    "proposal": "best_case",
    "negotiation": "best_case",
    "commit": "commit",
    "closed_won": "closed",
    "closed_lost": "omitted",
}
SEGMENTS = ("smb", "mid_market", "enterprise")
EMPLOYEES = {"smb": (5, 99), "mid_market": (100, 999), "enterprise": (1000, 50000)}
AMOUNT_RANGE = {  # in KRW
    "smb": (5_000_000, 15_000_000),
    "mid_market": (20_000_000, 60_000_000),
    "enterprise": (80_000_000, 300_000_000),
}
# Deal currency shares; amounts are rounded to 10,000 (KRW, JPY) or 100 (USD, EUR).
CURRENCIES = {"KRW": (0.55, -4), "USD": (0.20, -2), "EUR": (0.10, -2), "JPY": (0.15, -4)}
RATE_START = {"USD": 1310.0, "JPY": 9.0}  # KRW per unit; EUR follows USD at 1.08
TYPE_SHARES = {"expansion": 0.08, "": 0.10}  # the rest is new_business
CHANNELS = ("web", "paid_search", "event", "referral", "partner", "outbound")
LOST_REASONS = ("no_budget", "no_decision", "price", "timing", "lost_to_competitor")
COMPETITORS = ("Legacy Suite", "Comptor", "Rivalo")
# Optional generic files a CRM like this does not export (docs/generic_format.md).
ABSENT_FILES = (
    "campaigns",
    "lead_status_events",
    "activities",
    "opportunity_changes",
    "contracts",
)
NEW_BUSINESS_TYPES = ("new_business", "")  # an empty type is new business by default


@dataclass
class RealDeal:
    opportunity_id: str
    account_id: str
    segment: str
    lead_id: str | None
    opportunity_type: str
    created_at: datetime
    owner_id: str
    currency: str
    amount: float
    close_date: date
    creation_stage: str
    stage: str
    modified_at: datetime
    is_closed: bool = False
    is_won: bool = False
    lost_reason: str | None = None
    competitor: str | None = None
    close_date_pushes: int = 0


def build_real_staff(scale: int) -> Staff:
    """Marketing and account executives with their managers; AEs hired in months 7 and 16."""
    people: dict[str, Person] = {}
    names = ("Lucía", "Mateo", "Sofía", "Diego", "Valentina", "Javier", "Camila", "Andrés")
    surnames = ("García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz")

    def add(prefix: str, number: int, role: str, team: str, start: datetime, manager) -> None:
        n = len(people) + 1
        full_name = f"{names[n % len(names)]} {surnames[(n * 3) % len(surnames)]}"
        person = Person(f"u-{prefix}-{number:03d}", full_name, start, manager)
        person.stints.append(Stint(role, team, start))
        people[person.user_id] = person

    hired_before = WINDOW_START - timedelta(days=400)
    add("mgr", 1, "manager", "Marketing", hired_before, None)
    add("mgr", 2, "manager", "Ventas", hired_before, None)
    for number in range(1, 2 * scale + 1):
        add("mkt", number, "marketing", "Marketing", hired_before, "u-mgr-001")
    ae_number = 8 * scale
    for number in range(1, ae_number + 1):
        add("ae", number, "field_sales", "Ventas", hired_before, "u-mgr-002")
    for month in (7, 16):
        for _ in range(scale):
            ae_number += 1
            start = month_start(month) + timedelta(days=2, hours=9)
            add("ae", ae_number, "field_sales", "Ventas", start, "u-mgr-002")
    return Staff(people, {})


class RealCrmCompany:
    """Runs the simulation; rows end up in self.tables, deals in self.deals."""

    def __init__(self, scale: int, seed: int) -> None:
        self.scale, self.seed = scale, seed
        self.rng = random.Random(seed)
        self.staff = build_real_staff(scale)
        self.tables: dict[str, list[dict]] = defaultdict(list)
        self.deals: dict[str, RealDeal] = {}
        self.counters: Counter = Counter()
        self.rates: dict[str, dict[str, str]] = defaultdict(dict)  # currency -> day -> rate text
        self.weight_cache: dict = {}

    # ---- helpers -------------------------------------------------------------------------
    def next_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}-{self.counters[prefix]:07d}"

    def uniform_in_month(self, month: int) -> datetime:
        start = month_start(month)
        span = (month_start(month + 1) - start).total_seconds() / 86400
        return add_days(start, self.rng.uniform(0, span - 0.01))

    def pick_ae(self, moment: datetime) -> Person | None:
        key = self.staff.epoch(moment)
        entry = self.weight_cache.get(key)
        if entry is None:
            people = self.staff.active("field_sales", moment)
            entry = (people, list(accumulate(p.ramp_weight(moment) for p in people)))
            self.weight_cache[key] = entry
        people, cumulative = entry
        if not people or cumulative[-1] == 0:
            return None
        return self.rng.choices(people, cum_weights=cumulative, k=1)[0]

    def rate(self, currency: str, day: date | datetime) -> Decimal:
        return rate_on(self.rates, currency, day)

    # ---- reference data ------------------------------------------------------------------
    def build_reference(self) -> None:
        rng = self.rng
        usd, jpy = RATE_START["USD"], RATE_START["JPY"]
        day = WINDOW_START - timedelta(days=31)
        while day <= WINDOW_END:
            usd = round(usd * (1 + rng.gauss(0, 0.003)), 2)
            jpy = round(jpy * (1 + rng.gauss(0, 0.004)), 2)
            for currency, value in (("USD", usd), ("EUR", usd * 1.08), ("JPY", jpy)):
                text = f"{value:.2f}"
                self.rates[currency][iso_date(day)] = text
                self.tables["exchange_rates"].append(
                    {
                        "rate_date": iso_date(day),
                        "currency": currency,
                        "base_currency": "KRW",
                        "rate": text,
                    }
                )
            day += timedelta(days=1)

        for person in self.staff.people.values():
            self.tables["users"].append(
                {
                    "user_id": person.user_id,
                    "full_name": person.full_name,
                    "email": f"{person.user_id}@empresa.example",
                    "manager_id": person.manager_id or "",
                    "hired_at": iso(person.hired_at),
                    "terminated_at": "",
                    "modified_at": iso(person.hired_at),
                }
            )
            for stint in person.stints:
                self.tables["user_roles"].append(
                    {
                        "user_id": person.user_id,
                        "role_label": {
                            "manager": "Manager",
                            "marketing": "Marketing",
                            "field_sales": "AE",
                        }[stint.role],
                        "team": stint.team,
                        "valid_from": iso(stint.valid_from),
                        "valid_to": "",
                    }
                )

        self.accounts: list[tuple[str, str]] = []
        for number in range(1, 800 * self.scale + 1):
            segment = rng.choices(SEGMENTS, weights=(0.55, 0.30, 0.15))[0]
            created = add_days(WINDOW_START, -rng.uniform(30, 700))
            account = {
                "account_id": f"acc-{number:07d}",
                "account_name": f"Empresa {number}",
                "industry": rng.choice(("software", "manufacturing", "finance", "retail")),
                "employee_count": str(rng.randint(*EMPLOYEES[segment])),
                "segment": segment if rng.random() < 0.7 else "",
                "country": rng.choice(("ES", "MX", "KR", "JP", "US", "DE")),
                "created_at": iso(created),
                "modified_at": iso(add_days(created, rng.uniform(1, 29))),
            }
            self.tables["accounts"].append(account)
            self.accounts.append((account["account_id"], segment))

    # ---- leads ---------------------------------------------------------------------------
    def lead(self, created: datetime, account_id: str, status: str, owner_id: str) -> dict:
        rng = self.rng
        row = {
            "lead_id": self.next_id("lead"),
            "created_at": iso(created),
            "account_id": account_id,
            "channel": rng.choice(CHANNELS),
            "campaign_id": "",
            "owner_id": owner_id,
            "status": status,
            "converted_at": "",
            "converted_opportunity_id": "",
            "disqualified_reason": "",
            "has_budget": "",
            "has_authority": "",
            "has_need": "",
            "has_timeline": "",
            "fit_score": str(rng.randint(10, 100)),
            "contact_name": f"Contacto {self.counters['lead']}",
            "email": f"contacto{self.counters['lead']}@{account_id}.example",
            "phone": f"+34-6{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}",
            "modified_at": iso(created),
        }
        self.tables["leads"].append(row)
        return row

    def simulate_leads(self) -> None:
        """Leads marketing brings that never became a deal (converted ones come with deals)."""
        rng = self.rng
        marketers = [p for p in self.staff.people.values() if p.stints[0].role == "marketing"]
        for month in range(1, MONTHS + 1):
            for _ in range(int(round(40 * self.scale * (1 + 0.02 * month)))):
                created = self.uniform_in_month(month)
                account_id, _ = rng.choice(self.accounts)
                status = rng.choices(
                    ("New", "Working", "Nurture", "Disqualified"), weights=(3, 2, 3, 4)
                )[0]
                owner = rng.choice(marketers).user_id
                row = self.lead(created, account_id, status, owner)
                if status == "Disqualified":
                    row["disqualified_reason"] = rng.choice(("no_budget", "not_a_fit"))
                    row["modified_at"] = iso(min(add_days(created, rng.uniform(2, 20)), WINDOW_END))

    # ---- deals ---------------------------------------------------------------------------
    def simulate_deals(self) -> None:
        for month in range(1, MONTHS + 1):
            aes = self.staff.active("field_sales", month_start(month) + timedelta(days=15))
            for _ in range(int(round(6 * len(aes) * (1 + 0.01 * month)))):
                created = self.uniform_in_month(month)
                owner = self.pick_ae(created)
                if owner is None:
                    continue
                self.create_deal(created, owner.user_id)

    def create_deal(self, created: datetime, owner_id: str) -> None:
        rng = self.rng
        account_id, segment = rng.choice(self.accounts)
        draw = rng.random()
        kind = (
            "expansion"
            if draw < TYPE_SHARES["expansion"]
            else ""
            if draw < TYPE_SHARES["expansion"] + TYPE_SHARES[""]
            else "new_business"
        )
        currency = rng.choices(list(CURRENCIES), weights=[c[0] for c in CURRENCIES.values()])[0]
        amount_krw = rng.uniform(*AMOUNT_RANGE[segment]) * (0.3 if kind == "expansion" else 1)
        amount = self.in_currency(amount_krw, currency, created)
        start = rng.choices(list(CREATION_STAGES), weights=list(CREATION_STAGES.values()))[0]
        remaining = WORKING_PATH[WORKING_PATH.index(start) :] if start in WORKING_PATH else []
        cycle = sum(STAGE_DAYS[segment][s] for s in remaining) * rng.uniform(0.8, 1.3)
        lead, lead_id = None, None
        if kind != "expansion" and rng.random() < 0.45:
            lead = self.lead(
                add_days(created, -rng.uniform(1, 20)), account_id, "Converted", owner_id
            )
            lead_id = lead["lead_id"]
        deal = RealDeal(
            opportunity_id=self.next_id("opp"),
            account_id=account_id,
            segment=segment,
            lead_id=lead_id,
            opportunity_type=kind,
            created_at=created,
            owner_id=owner_id,
            currency=currency,
            amount=amount,
            close_date=add_days(created, cycle).date(),
            creation_stage=start,
            stage=start,
            modified_at=created,
        )
        self.deals[deal.opportunity_id] = deal
        if lead is not None:
            lead["converted_at"] = iso(created)
            lead["converted_opportunity_id"] = deal.opportunity_id
            lead["modified_at"] = iso(created)
        if rng.random() < 0.2:
            deal.competitor = rng.choice(COMPETITORS)
        if start in ("closed_won", "closed_lost"):  # logged after the fact, decided that day
            self.decide(deal, created, start == "closed_won")
            return
        self.work(deal, created)

    def in_currency(self, amount_krw: float, currency: str, day: datetime) -> float:
        digits = CURRENCIES[currency][1]
        if currency == "KRW":
            return round(amount_krw, digits)
        return round(amount_krw / float(self.rate(currency, day)), digits)

    def decide(self, deal: RealDeal, at: datetime, won: bool) -> None:
        deal.stage = "closed_won" if won else "closed_lost"
        deal.is_closed, deal.is_won = True, won
        deal.close_date = at.date()
        deal.modified_at = at
        if not won:
            deal.lost_reason = (
                "lost_to_competitor" if deal.competitor else self.rng.choice(LOST_REASONS[:4])
            )

    def work(self, deal: RealDeal, at: datetime) -> None:
        """Walk the deal through the working stages until it is decided or time ends."""
        rng = self.rng
        stage = deal.stage
        while True:
            at = add_days(at, STAGE_DAYS[deal.segment][stage] * rng.uniform(0.5, 1.5))
            if at > WINDOW_END:
                return
            # the rep notices an overdue close date and pushes it out
            while deal.close_date < at.date() and rng.random() < 0.7:
                deal.close_date += timedelta(days=rng.randint(14, 45))
                deal.close_date_pushes += 1
                deal.modified_at = at
            if rng.random() < STALL_SHARE:
                return  # the rep stops working it: open, its close date going stale
            if rng.random() >= ADVANCE[stage]:
                self.decide(deal, at, won=False)
                return
            if stage == "commit":
                self.decide(deal, at, won=True)
                return
            following = WORKING_PATH[WORKING_PATH.index(stage) + 1]
            if stage == "proposal" and rng.random() < 0.05:
                following = "commit"  # negotiation skipped
            if following == "proposal" and rng.random() < 0.5:
                deal.amount = round(
                    deal.amount * rng.uniform(0.8, 1.3), CURRENCIES[deal.currency][1]
                )
            deal.stage, deal.modified_at, stage = following, at, following

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
                    "created_by_id": deal.owner_id,  # AEs create their own deals
                    "owner_id": deal.owner_id,
                    "stage": STAGE_LABELS[deal.stage],
                    "amount": f"{deal.amount:.2f}",
                    "currency": deal.currency,
                    "close_date": iso_date(deal.close_date),
                    "is_closed": str(deal.is_closed).lower(),
                    "is_won": str(deal.is_won).lower(),
                    "lost_reason": deal.lost_reason or "",
                    "competitor": deal.competitor or "",
                    "forecast_category": FORECAST[deal.stage],
                    "handoff_note": "",
                    "has_budget": "",
                    "has_authority": "",
                    "has_need": "",
                    "has_timeline": "",
                    "modified_at": iso(deal.modified_at),
                }
            )

    def write_quotas(self) -> None:
        for quarter in range(MONTHS // 3):
            start = month_start(quarter * 3 + 1)
            for person in self.staff.active("field_sales", start + timedelta(days=45)):
                self.tables["quotas"].append(
                    {
                        "user_id": person.user_id,
                        "quarter_start_date": iso_date(start),
                        "quota_amount": str(300_000_000),
                        "currency": "KRW",
                    }
                )

    def run(self) -> None:
        self.build_reference()
        self.simulate_deals()
        self.simulate_leads()
        self.write_deals()
        self.write_quotas()
        for name in ABSENT_FILES:
            self.tables.pop(name, None)


def simulate_real_crm(scale: int, seed: int) -> RealCrmCompany:
    company = RealCrmCompany(scale, seed)
    company.run()
    return company


def rate_on(rates: dict[str, dict[str, str]], currency: str, day: date | datetime) -> Decimal:
    """KRW per unit of currency on a day: the latest rate on or before it (as staging joins)."""
    if currency == "KRW":
        return Decimal(1)
    days = sorted(rates[currency])
    position = bisect_right(days, iso_date(day))
    return Decimal(rates[currency][days[max(position - 1, 0)]])


def reporting_amount(company: RealCrmCompany, deal: RealDeal) -> Decimal:
    """The amount in KRW at the rate of the close date, to the cent (amount_reporting)."""
    value = Decimal(f"{deal.amount:.2f}") * company.rate(deal.currency, deal.close_date)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def cycle_days(deal: RealDeal) -> float:
    """Created -> closed, in days; without history a deal closes at the start of its
    close date, never before it was created (a deal logged as won on its close date: 0)."""
    closed = datetime(deal.close_date.year, deal.close_date.month, deal.close_date.day)
    return max((closed - deal.created_at).total_seconds(), 0) / 86400


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def build_real_crm_truth(company: RealCrmCompany) -> dict:
    deals = sorted(company.deals.values(), key=lambda d: d.opportunity_id)
    new_business = [d for d in deals if d.opportunity_type in NEW_BUSINESS_TYPES]
    closed = [d for d in new_business if d.is_closed]

    team: dict[str, dict] = defaultdict(lambda: {"won": 0, "closed": 0, "amount": Decimal(0)})
    cycles: dict[str, list[float]] = defaultdict(list)
    per_owner: Counter = Counter()
    per_owner_won: Counter = Counter()
    for deal in closed:
        month = month_label(deal.close_date)
        team[month]["closed"] += 1
        per_owner[(month, deal.owner_id)] += 1
        if deal.is_won:
            team[month]["won"] += 1
            team[month]["amount"] += reporting_amount(company, deal)
            per_owner_won[(month, deal.owner_id)] += 1
            cycles[month].append(cycle_days(deal))
    created = Counter(month_label(d.created_at) for d in new_business)
    won_cycles = [cycle_days(d) for d in closed if d.is_won]
    counts = {name: len(company.tables.get(name, [])) for name in sorted(COLUMNS)}
    return {
        "profile": PROFILE,
        "parameters": {
            "scale": company.scale,
            "seed": company.seed,
            "reporting_currency": "KRW",
            "stage_labels": STAGE_LABELS,
            "creation_stage_shares": CREATION_STAGES,
            "currency_shares": {c: share for c, (share, _) in CURRENCIES.items()},
            "type_shares": TYPE_SHARES,
        },
        "window": {"start": iso(WINDOW_START), "end": iso(WINDOW_END), "months": MONTHS},
        "as_of": iso(WINDOW_END),
        "absent_files": list(ABSENT_FILES),
        "clean_row_counts": counts,
        "new_business": {
            "definition": (
                "opportunity_type new_business or empty; closed deals dated by the month"
                " of close_date; amounts in KRW at the rate of the close date"
            ),
            "deal_count": len(new_business),
            "empty_type_count": sum(1 for d in new_business if d.opportunity_type == ""),
            "creation_stage_counts": dict(
                sorted(Counter(d.creation_stage for d in new_business).items())
            ),
            "currency_counts": dict(sorted(Counter(d.currency for d in new_business).items())),
            "close_date_pushed_count": sum(1 for d in new_business if d.close_date_pushes),
            "open_count_as_of": sum(1 for d in new_business if not d.is_closed),
            "won_count": sum(1 for d in closed if d.is_won),
            "lost_count": sum(1 for d in closed if not d.is_won),
            "median_won_cycle_days": round(statistics.median(won_cycles), 6)
            if won_cycles
            else None,
            "team_by_close_month": [
                {
                    "month": month,
                    "won_count": values["won"],
                    "closed_count": values["closed"],
                    "won_amount": float(values["amount"]),
                    "win_rate": ratio(values["won"], values["closed"]),
                    "median_won_cycle_days": round(statistics.median(cycles[month]), 6)
                    if cycles[month]
                    else None,
                }
                for month, values in sorted(team.items())
            ],
            "per_owner_by_close_month": [
                {
                    "month": month,
                    "user_id": user,
                    "won_count": per_owner_won[(month, user)],
                    "closed_count": count,
                }
                for (month, user), count in sorted(per_owner.items())
            ],
            "created_per_month": [
                {"month": month, "created_count": count} for month, count in sorted(created.items())
            ],
        },
        "other_deals": {
            "expansion_count": sum(1 for d in deals if d.opportunity_type == "expansion"),
        },
    }
