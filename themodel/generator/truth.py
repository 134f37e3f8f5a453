"""truth.json: the parameters and the exact realised figures of the clean company."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime

from themodel.generator.calendar import (
    MONTHS,
    WINDOW_END,
    WINDOW_START,
    iso,
    iso_date,
    month_label,
    month_of,
    month_start,
    quarter_label,
)
from themodel.generator.company import STORY, Company, Deal


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def closed_at(deal: Deal) -> datetime | None:
    closes = [
        c["changed_at"]
        for c in deal.changes
        if c["field"] == "stage"
        and c["new_value"] in ("Closed Won", "Closed Lost", "Renewed", "Churned")
    ]
    return closes[-1] if closes else None


def owner_at(deal: Deal, moment: datetime) -> str:
    owner = None
    for change in deal.changes:
        if change["field"] == "owner_id" and change["changed_at"] <= moment:
            owner = change["new_value"]
        elif change["field"] == "owner_id" and owner is None:
            owner = change["old_value"]
    return owner or deal.owner_id


def build_truth(company: Company) -> dict:
    deals = sorted(company.deals.values(), key=lambda d: d.opportunity_id)
    new_business = [d for d in deals if d.opportunity_type == "new_business"]
    story = company.staff.story

    transitions = [
        {
            "month": month,
            "segment": segment,
            "opportunity_type": kind,
            "from_stage": old,
            "to_stage": new,
            "count": count,
        }
        for (month, segment, kind, old, new), count in sorted(company.transitions.items())
    ]
    lead_transitions = [
        {"month": month, "from_status": old, "to_status": new, "count": count}
        for (month, old, new), count in sorted(company.lead_transitions.items())
    ]

    leads_per_channel = Counter(
        (row["created_at"][:7], row["channel"]) for row in company.tables["leads"]
    )
    created_per_sdr = Counter(
        (d.created_at.strftime("%Y-%m"), d.created_by_id) for d in new_business
    )

    handoffs: dict[str, Counter] = defaultdict(Counter)
    for deal in new_business:
        stages = [c["new_value"] for c in deal.changes if c["field"] == "stage"]
        outcome = (
            "accepted"
            if "Accepted" in stages
            else "rejected"
            if deal.lost_reason == "rejected_handoff"
            else "pending"
        )
        handoffs[deal.created_by_id]["handed_off"] += 1
        handoffs[deal.created_by_id][outcome] += 1
    handoff_rows = {
        sdr: {
            "handed_off": c["handed_off"],
            "accepted": c["accepted"],
            "rejected": c["rejected"],
            "pending": c["pending"],
            "acceptance_rate": rate(c["accepted"], c["accepted"] + c["rejected"]),
        }
        for sdr, c in sorted(handoffs.items())
    }

    wins: Counter = Counter()
    won_amount: Counter = Counter()
    for deal in new_business:
        if deal.is_won:
            key = (iso_date(deal.close_date)[:7], deal.owner_id)
            wins[key] += 1
            won_amount[key] += company.krw(deal.amount, deal.currency, deal.close_date)

    renewals: dict[str, Counter] = defaultdict(Counter)
    for deal in deals:
        if deal.opportunity_type != "renewal":
            continue
        renewals[deal.created_at.strftime("%Y-%m")]["due"] += 1
        done = closed_at(deal)
        if done is not None:
            renewals[done.strftime("%Y-%m")]["renewed" if deal.is_won else "churned"] += 1

    return {
        "parameters": {
            "scale": company.scale,
            "seed": company.seed,
            "story": STORY,
            "reporting_currency": "KRW",
        },
        "window": {"start": iso(WINDOW_START), "end": iso(WINDOW_END), "months": MONTHS},
        "as_of": iso(WINDOW_END),
        "clean_row_counts": {name: len(rows) for name, rows in sorted(company.tables.items())},
        "opportunity_stage_transitions": transitions,
        "lead_status_transitions": lead_transitions,
        "leads_per_channel_month": [
            {"month": m, "channel": ch, "leads": n}
            for (m, ch), n in sorted(leads_per_channel.items())
        ],
        "opportunities_created_per_sdr_month": [
            {"month": m, "user_id": u, "opportunities": n}
            for (m, u), n in sorted(created_per_sdr.items())
        ],
        "handoffs_per_sdr": handoff_rows,
        "wins_per_ae_month": [
            {"month": m, "user_id": u, "won": n, "won_amount_krw": round(won_amount[(m, u)], 2)}
            for (m, u), n in sorted(wins.items())
        ],
        "renewals_per_month": [
            {"month": m, "due": c["due"], "renewed": c["renewed"], "churned": c["churned"]}
            for m, c in sorted(renewals.items())
        ],
        "story": {
            "bottleneck": bottleneck_truth(company),
            "competitor": competitor_truth(new_business),
            "departed_ae": {
                "user_id": story["best_ae_id"],
                "departed_at": iso(story["best_ae_departed_at"]),
                "month": month_of(story["best_ae_departed_at"]),
                "reassigned_opportunity_ids": company.reassigned,
                "won_before_departure": sum(
                    1 for d in new_business if d.is_won and d.owner_id == story["best_ae_id"]
                ),
            },
            "loose_sdr": {
                "user_id": story["loose_sdr_id"],
                **handoff_rows.get(story["loose_sdr_id"], {}),
            },
            "strict_sdr": {
                "user_id": story["strict_sdr_id"],
                **handoff_rows.get(story["strict_sdr_id"], {}),
            },
            "team_acceptance_rate_other_sdrs": team_acceptance(handoff_rows, story),
            "ramping_sdrs": ramp_truth(company, new_business),
            "overload": overload_truth(company, new_business),
            "transfers": [dict(t, at=iso(t["at"])) for t in story["transfers"]],
            "departures": {user: iso(at) for user, at in sorted(story["departures"].items())},
        },
    }


def bottleneck_truth(company: Company) -> dict:
    plan = STORY["bottleneck"]
    advanced = Counter()
    exited = Counter()
    for (month, segment, kind, old, new), count in company.transitions.items():
        if segment != plan["segment"] or old != plan["from_stage"] or kind != "new_business":
            continue
        period = (
            "after"
            if int(month[:4]) * 12 + int(month[5:]) - 2024 * 12 >= plan["from_month"]
            else "before"
        )
        exited[period] += count
        if new == plan["to_stage"]:
            advanced[period] += count
    return {
        **plan,
        "realised_rate_before": rate(advanced["before"], exited["before"]),
        "realised_rate_after": rate(advanced["after"], exited["after"]),
        "exits_before": exited["before"],
        "exits_after": exited["after"],
    }


def competitor_truth(deals: list[Deal]) -> dict:
    name = STORY["competitor"]["name"]
    contested = [d for d in deals if d.competitor == name and d.is_closed]
    others = [d for d in deals if d.competitor not in (None, name) and d.is_closed]
    first = min((d.created_at for d in deals if d.competitor == name), default=None)
    return {
        "name": name,
        "from_month": STORY["competitor"]["from_month"],
        "first_contested_deal_created": iso(first),
        "contested_closed": len(contested),
        "contested_won": sum(d.is_won for d in contested),
        "our_win_rate_when_contested": rate(sum(d.is_won for d in contested), len(contested)),
        "our_win_rate_vs_other_competitors": rate(sum(d.is_won for d in others), len(others)),
    }


def team_acceptance(rows: dict, story: dict) -> float | None:
    special = {story["loose_sdr_id"], story["strict_sdr_id"]}
    accepted = sum(r["accepted"] for sdr, r in rows.items() if sdr not in special)
    decided = sum(r["accepted"] + r["rejected"] for sdr, r in rows.items() if sdr not in special)
    return rate(accepted, decided)


def ramp_truth(company: Company, deals: list[Deal]) -> dict:
    """Opportunities created by each new SDR in their 1st..4th calendar month in the role."""
    result = {}
    created_by: dict[str, list[Deal]] = defaultdict(list)
    for deal in deals:
        created_by[deal.created_by_id].append(deal)
    for user_id in company.staff.story["ramping_sdr_ids"]:
        start = company.staff.people[user_id].stints[0].valid_from
        first = month_of(start)
        per_month = Counter(month_of(d.created_at) - first + 1 for d in created_by[user_id])
        result[user_id] = {
            "started": iso(start),
            "by_month_in_role": [per_month.get(k, 0) for k in range(1, 5)],
        }
    return result


def overload_truth(company: Company, deals: list[Deal]) -> dict:
    """Average open new-business deals per active AE at each month end; cycle days by quarter."""
    open_per_ae = {}
    for month in range(1, MONTHS + 1):
        moment = month_start(month + 1)
        if moment > WINDOW_END:
            moment = WINDOW_END
        aes = company.staff.active("field_sales", moment)
        open_deals = 0
        for deal in deals:
            done = closed_at(deal)
            if deal.created_at <= moment and (done is None or done > moment):
                open_deals += 1
        open_per_ae[month_label(month_start(month))] = round(open_deals / len(aes), 3)
    cycles: dict[str, list[float]] = defaultdict(list)
    for deal in deals:
        done = closed_at(deal)
        if deal.is_won and done is not None:
            cycles[quarter_label(done)].append((done - deal.created_at).total_seconds() / 86400)
    return {
        **{k: v for k, v in STORY["overload"].items()},
        "open_deals_per_ae_month_end": open_per_ae,
        "median_won_cycle_days_by_quarter": {
            q: round(statistics.median(v), 3) for q, v in sorted(cycles.items())
        },
    }
