"""Users and their role history: hires every quarter, departures, transfers."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from themodel.generator.calendar import WINDOW_END, WINDOW_START, month_start

ROLE_LABELS = {
    "marketing": "Marketing",
    "inside_sales": "SDR",
    "field_sales": "AE",
    "customer_success": "CSM",
    "manager": "Manager",
}
TEAMS = {
    "marketing": "Marketing",
    "inside_sales": "Inside Sales",
    "field_sales": "Field Sales",
    "customer_success": "Customer Success",
}


@dataclass
class Stint:
    role: str
    team: str
    valid_from: datetime
    valid_to: datetime | None = None


@dataclass
class Person:
    user_id: str
    full_name: str
    hired_at: datetime
    manager_id: str | None
    stints: list[Stint] = field(default_factory=list)
    terminated_at: datetime | None = None

    def role_at(self, moment: datetime) -> str | None:
        if self.terminated_at is not None and moment >= self.terminated_at:
            return None
        for stint in self.stints:
            if stint.valid_from <= moment and (stint.valid_to is None or moment < stint.valid_to):
                return stint.role
        return None

    def stint_at(self, moment: datetime) -> Stint | None:
        for stint in self.stints:
            if stint.valid_from <= moment and (stint.valid_to is None or moment < stint.valid_to):
                return stint
        return None

    def ramp_weight(self, moment: datetime) -> float:
        """How much work a person takes on: it grows over the first months in a role."""
        stint = self.stint_at(moment)
        if stint is None:
            return 0.0
        months = (moment.year - stint.valid_from.year) * 12 + moment.month - stint.valid_from.month
        return (0.15, 0.55)[months] if months < 2 else 1.0


FIRST_NAMES = [
    "Minjun",
    "Seoyeon",
    "Jiho",
    "Haeun",
    "Dohyun",
    "Jiwoo",
    "Yuna",
    "Siwoo",
    "Hana",
    "Junho",
    "Sora",
    "Taeyang",
    "Eunji",
    "Kenji",
    "Aiko",
    "Daniel",
    "Grace",
    "Leo",
]
LAST_NAMES = [
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Jung",
    "Kang",
    "Cho",
    "Yoon",
    "Jang",
    "Lim",
    "Sato",
    "Tanaka",
    "Han",
    "Oh",
    "Seo",
    "Shin",
    "Kwon",
    "Hwang",
]


@dataclass
class Staff:
    people: dict[str, Person]
    story: dict

    _cache: dict = field(default_factory=dict)
    _holders: dict = field(default_factory=dict)
    _boundaries: list = field(default_factory=list)

    def epoch(self, moment: datetime) -> int:
        """Which stretch of time between two staffing changes a moment falls in.

        Roles change only at hires, transfers and departures, and ramp weights at
        month starts, so everyone's role and weight is the same within an epoch."""
        if not self._boundaries:
            moments = {WINDOW_START}
            for person in self.people.values():
                moments.update(s.valid_from for s in person.stints)
                moments.update(s.valid_to for s in person.stints if s.valid_to)
                if person.terminated_at:
                    moments.add(person.terminated_at)
            first = min(moments)
            month = datetime(first.year, first.month, 1)
            while month <= WINDOW_END + timedelta(days=800):
                moments.add(month)
                month = datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
            self._boundaries = sorted(moments)
        return bisect_right(self._boundaries, moment)

    def active(self, role: str, moment: datetime) -> list[Person]:
        """Who holds a role at a moment (the same for every moment of an epoch)."""
        key = (role, self.epoch(moment))
        if key not in self._cache:
            if role not in self._holders:  # everyone who ever held the role, in people order
                self._holders[role] = [
                    p for p in self.people.values() if any(s.role == role for s in p.stints)
                ]
            self._cache[key] = [p for p in self._holders[role] if p.role_at(moment) == role]
        return self._cache[key]


def build_staff(scale: int) -> Staff:
    """The organisation, scaled: team sizes grow with the scale, the story stays."""
    people: dict[str, Person] = {}
    counter = {"n": 0}

    def name() -> str:
        counter["n"] += 1
        n = counter["n"]
        return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n * 7) % len(LAST_NAMES)]}"

    def add(prefix: str, number: int, role: str, start: datetime, manager: str | None) -> Person:
        user_id = f"u-{prefix}-{number:03d}"
        person = Person(user_id, name(), start, manager)
        person.stints.append(Stint(role, TEAMS.get(role, "Leadership"), start))
        people[user_id] = person
        return person

    hired_before = WINDOW_START - timedelta(days=400)
    managers = {
        role: add("mgr", i + 1, "manager", hired_before, None) for i, role in enumerate(TEAMS)
    }
    for number in range(1, 3 * scale + 1):
        add("mkt", number, "marketing", hired_before, managers["marketing"].user_id)
    for number in range(1, 6 * scale + 1):
        add("sdr", number, "inside_sales", hired_before, managers["inside_sales"].user_id)
    for number in range(1, 6 * scale + 1):
        add("ae", number, "field_sales", hired_before, managers["field_sales"].user_id)
    for number in range(1, 3 * scale + 1):
        add("csm", number, "customer_success", hired_before, managers["customer_success"].user_id)

    # Quarterly SDR hires (they ramp), and an AE hire every other quarter.
    sdr_number, ae_number, hires = 6 * scale, 6 * scale, []
    for month in (4, 7, 10, 13, 16, 19, 22):
        for _ in range(scale):
            sdr_number += 1
            start = month_start(month) + timedelta(days=2, hours=9)
            hires.append(
                add(
                    "sdr", sdr_number, "inside_sales", start, managers["inside_sales"].user_id
                ).user_id
            )
        if month in (7, 13, 19):
            for _ in range(scale):
                ae_number += 1
                add(
                    "ae",
                    ae_number,
                    "field_sales",
                    month_start(month) + timedelta(days=2, hours=9),
                    managers["field_sales"].user_id,
                )

    # Transfers: an SDR promoted to AE mid-month, an AE moving to customer success.
    promoted = people["u-sdr-002"]
    promoted_at = month_start(10) + timedelta(days=14, hours=9)
    promoted.stints[-1].valid_to = promoted_at
    promoted.stints.append(Stint("field_sales", TEAMS["field_sales"], promoted_at))
    moved = people["u-ae-006"]
    moved_at = month_start(14) + timedelta(hours=9)
    moved.stints[-1].valid_to = moved_at
    moved.stints.append(Stint("customer_success", TEAMS["customer_success"], moved_at))

    # Departures: the best AE leaves in month 20; an SDR in month 9; a CSM in month 16.
    best_ae = people["u-ae-001"]
    departures = {
        best_ae.user_id: month_start(20) + timedelta(days=14, hours=18),
        "u-sdr-006": month_start(9) + timedelta(days=20, hours=18),
        "u-csm-002": month_start(16) + timedelta(days=9, hours=18),
    }
    for user_id, leaving in departures.items():
        person = people[user_id]
        person.terminated_at = leaving
        person.stints[-1].valid_to = leaving

    story = {
        "best_ae_id": best_ae.user_id,
        "best_ae_departed_at": departures[best_ae.user_id],
        "loose_sdr_id": "u-sdr-003",
        "strict_sdr_id": "u-sdr-004",
        "ramping_sdr_ids": hires,
        "transfers": [
            {
                "user_id": promoted.user_id,
                "from_role": "inside_sales",
                "to_role": "field_sales",
                "at": promoted_at,
            },
            {
                "user_id": moved.user_id,
                "from_role": "field_sales",
                "to_role": "customer_success",
                "at": moved_at,
            },
        ],
        "departures": departures,
    }
    return Staff(people, story)
