"""Real-world export mess, added after the truth is computed, each kind counted.

Two families:
- lossless noise staging must undo (whitespace and case, mixed date formats,
  money strings, Korean labels): the rows stay good;
- extra rows staging must set aside (exact duplicates, older versions of a
  record, orphan references, unknown stage labels, missing keys): they are
  added, never made out of good rows, so the truth still holds after staging.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import datetime

KOREAN_STAGES = {
    "Handed Off": "상담화",
    "Accepted": "수락",
    "Discovery": "니즈 파악",
    "Proposal": "제안",
    "Negotiation": "협상",
    "Commit": "계약 확정",
    "Closed Won": "수주",
    "Closed Lost": "실주",
    "Renewal Due": "갱신 예정",
    "Renewed": "갱신",
    "Churned": "이탈",
}
RATES = {
    "whitespace_case_noise": 0.03,
    "mixed_date_formats": 0.08,
    "money_strings": 0.15,
    "korean_stage_labels": 0.10,
    "exact_duplicates": 0.01,
    "updated_duplicates": 0.01,
}
# Extra bad rows per unit of scale.
EXTRA_ROWS = {"orphan_references": 4, "unknown_stage_labels": 3, "missing_keys": 3}
LABEL_COLUMNS = {
    "leads": ["status", "channel"],
    "opportunities": ["stage", "forecast_category"],
    "lead_status_events": ["to_status"],
    "activities": ["activity_type"],
    "user_roles": ["role_label"],
}
TIMESTAMP_COLUMNS = {
    "leads": ["created_at", "converted_at"],
    "opportunities": ["created_at"],
    "opportunity_changes": ["changed_at"],
    "lead_status_events": ["changed_at"],
    "activities": ["occurred_at"],
}
DATE_COLUMNS = {"opportunities": ["close_date"], "contracts": ["start_date", "end_date"]}
MONEY_COLUMNS = {"opportunities": "amount", "contracts": "annual_value", "campaigns": "cost"}
KEYS = {
    "leads": "lead_id",
    "opportunities": "opportunity_id",
    "activities": "activity_id",
    "lead_status_events": "lead_id",
    "opportunity_changes": "opportunity_id",
}


def noisy_label(rng: random.Random, value: str) -> str:
    return rng.choice((f"  {value} ", value.upper(), value.lower(), f"{value}\t"))


def reformat_timestamp(rng: random.Random, value: str) -> str:
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    if rng.random() < 0.5:
        return moment.strftime("%Y/%m/%d %H:%M")
    return moment.strftime("%m/%d/%y %I:%M %p")


def reformat_date(rng: random.Random, value: str) -> str:
    day = datetime.strptime(value, "%Y-%m-%d")
    return day.strftime("%Y/%m/%d") if rng.random() < 0.5 else day.strftime("%m/%d/%y")


def money_string(rng: random.Random, value: str, currency: str) -> str:
    amount = float(value)
    text = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    symbol = {"KRW": "₩", "USD": "$", "EUR": "€"}.get(currency, "")
    return rng.choice((f"{symbol}{text}", f"{currency} {text}", text))


def apply_mess(tables: dict[str, list[dict]], scale: int, seed: int) -> dict[str, dict[str, int]]:
    """Mutate the tables in place; return {file: {kind: count}}."""
    rng = random.Random(seed * 7919 + 17)
    counts: dict[str, Counter] = defaultdict(Counter)

    for table, columns in LABEL_COLUMNS.items():
        for row in tables[table]:
            if rng.random() < RATES["whitespace_case_noise"]:
                column = rng.choice(columns)
                if row[column]:
                    row[column] = noisy_label(rng, row[column])
                    counts[table]["whitespace_case_noise"] += 1

    for table in ("opportunities", "opportunity_changes"):
        for row in tables[table]:
            if table == "opportunity_changes" and row["field"] != "stage":
                continue
            column = "stage" if table == "opportunities" else "new_value"
            if row[column] in KOREAN_STAGES and rng.random() < RATES["korean_stage_labels"]:
                row[column] = KOREAN_STAGES[row[column]]
                counts[table]["korean_stage_labels"] += 1

    for table, columns in TIMESTAMP_COLUMNS.items():
        for row in tables[table]:
            for column in columns:
                if row[column] and rng.random() < RATES["mixed_date_formats"]:
                    row[column] = reformat_timestamp(rng, row[column])
                    counts[table]["mixed_date_formats"] += 1
    for table, columns in DATE_COLUMNS.items():
        for row in tables[table]:
            for column in columns:
                if row[column] and rng.random() < RATES["mixed_date_formats"]:
                    row[column] = reformat_date(rng, row[column])
                    counts[table]["mixed_date_formats"] += 1

    for table, column in MONEY_COLUMNS.items():
        for row in tables[table]:
            if row[column] and rng.random() < RATES["money_strings"]:
                row[column] = money_string(rng, row[column], row["currency"])
                counts[table]["money_strings"] += 1

    # Older versions of a record: same id, earlier modified_at, stale values.
    for table, stale in (
        ("opportunities", {"stage": "Handed Off", "forecast_category": "pipeline"}),
        ("accounts", {"industry": "unknown"}),
    ):
        extra = []
        for row in tables[table]:
            if rng.random() < RATES["updated_duplicates"]:
                older = dict(row, **stale)
                older["modified_at"] = row["created_at"]
                if older["modified_at"] < row["modified_at"]:
                    extra.append(older)
        insert_randomly(rng, tables[table], extra)
        counts[table]["updated_duplicates"] += len(extra)

    # Bad rows: orphans, unknown stage labels, missing keys.
    orphans = []
    for number in range(EXTRA_ROWS["orphan_references"] * scale):
        row = dict(rng.choice(tables["activities"]))
        row["activity_id"] = f"act-orphan-{number:05d}"
        row["opportunity_id"], row["lead_id"] = f"opp-missing-{number:05d}", ""
        orphans.append(row)
    insert_randomly(rng, tables["activities"], orphans)
    counts["activities"]["orphan_references"] += len(orphans)

    unknown = []
    stage_changes = [row for row in tables["opportunity_changes"] if row["field"] == "stage"]
    for number in range(EXTRA_ROWS["unknown_stage_labels"] * scale):
        row = dict(rng.choice(stage_changes))
        row["change_id"] = f"chg-unknown-{number:05d}"
        row["new_value"] = rng.choice(("Verbal Yes", "On Hold??", "보류"))
        unknown.append(row)
    insert_randomly(rng, tables["opportunity_changes"], unknown)
    counts["opportunity_changes"]["unknown_stage_labels"] += len(unknown)

    for table in ("leads", "activities", "opportunities"):
        missing = []
        for _ in range(EXTRA_ROWS["missing_keys"] * scale):
            row = dict(rng.choice(tables[table]))
            row[KEYS[table]] = rng.choice(("", "  "))
            missing.append(row)
        insert_randomly(rng, tables[table], missing)
        counts[table]["missing_keys"] += len(missing)

    # Exact duplicates last: a re-export repeats rows as they are.
    for table in ("leads", "activities", "lead_status_events"):
        copies = [dict(row) for row in tables[table] if rng.random() < RATES["exact_duplicates"]]
        insert_randomly(rng, tables[table], copies)
        counts[table]["exact_duplicates"] += len(copies)

    return {table: dict(sorted(kinds.items())) for table, kinds in sorted(counts.items())}


# The quarantine rule each kind of planted bad row breaks.
QUARANTINE_RULES = {
    "orphan_references": "orphan_reference",
    "unknown_stage_labels": "unknown_stage_label",
    "missing_keys": "missing_key",
}


def planted_quarantine(mess: dict[str, dict[str, int]]) -> list[dict]:
    """The rows the build must quarantine because they were planted on purpose, per
    entity and rule (truth.json `planted_quarantine`): the quarantine_is_empty test
    and `python -m themodel summary` report a quarantine that matches it as the demo's
    planted rows, not as a problem."""
    return [
        {"entity": entity, "rule": QUARANTINE_RULES[kind], "row_count": count}
        for entity, kinds in sorted(mess.items())
        for kind, count in sorted(kinds.items())
        if kind in QUARANTINE_RULES and count
    ]


def insert_randomly(rng: random.Random, rows: list[dict], extra: list[dict]) -> None:
    """Scatter extra rows through the file (one pass, so large files stay fast)."""
    if not extra:
        return
    slots = sorted((rng.randint(0, len(rows)), order) for order in range(len(extra)))
    merged, previous = [], 0
    for position, order in slots:
        merged.extend(rows[previous:position])
        merged.append(extra[order])
        previous = position
    merged.extend(rows[previous:])
    rows[:] = merged
