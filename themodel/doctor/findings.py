"""What follows from the export for a build: per file its rows and dates, the rows
staging will quarantine, the marts it can fill (seeds/mart_requirements.csv) and the
settings to build with."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from themodel.doctor.export import Entity, Export, actual_name, format_doc
from themodel.doctor.files import parse_moment
from themodel.doctor.project import (
    AS_OF_EVENTS,
    MAIN_DATE,
    SALESFORCE_COLUMN,
    SALESFORCE_ENTITY,
    TRUE_TEXTS,
    read_seed,
)


@dataclass
class EntityFacts:
    entity: Entity
    rows: int
    first: datetime | None
    last: datetime | None
    undated: int  # rows without the main date, or with one staging cannot read
    deleted: int


def entity_facts(entity: Entity, date_order: str) -> EntityFacts:
    column, _ = MAIN_DATE[entity.spec.name]
    moments = [parse_moment(v, date_order) for v in entity.values(column)] if column else []
    dated = [m for m in moments if m is not None]
    return EntityFacts(
        entity,
        len(entity.file.rows),
        min(dated, default=None),
        max(dated, default=None),
        len(moments) - len(dated),
        entity.deleted_rows(),
    )


def quarantine_forecast(
    export: Export, facts: list[EntityFacts], max_share: float, min_rows: int
) -> list[str]:
    """Rows the build will quarantine for what is plainly missing: a deleted flag, no
    readable main date. Returns the entities over quarantine_max_share."""
    over = []
    for fact in facts:
        column, required = MAIN_DATE[fact.entity.spec.name]
        lost = fact.deleted + (fact.undated if required and column else 0)
        if not fact.rows or not lost:
            continue
        lost = min(lost, fact.rows)
        share = lost / fact.rows
        name = fact.entity.file.path.name
        column_name = actual_name(fact.entity, column)
        reasons = []
        if fact.deleted:
            reasons.append(f"{fact.deleted} marked deleted (rule soft_deleted)")
        if required and fact.undated:
            what = (
                "without" if not fact.entity.has_column(column) else "with an empty or unreadable"
            )
            rules = "missing_timestamp or unparseable_timestamp"
            reasons.append(f"{fact.undated} {what} {column_name} (rule {rules})")
        export.warnings.append(
            f"{name}: {lost} of {fact.rows} rows ({share:.0%}) will be quarantined:"
            f" {'; '.join(reasons)}."
        )
        if share > max_share and fact.rows >= min_rows:
            over.append(f"{share:.0%} of {name}")
        if lost == fact.rows and fact.entity.spec.file_required:
            # under quarantine_min_rows the gate only warns: the marts would be empty
            export.blockers.append(
                f"every row of {name} will be quarantined ({'; '.join(reasons)}): the build"
                f" would have no {fact.entity.spec.name} to count. Export the live rows"
                f" ({format_doc(export.source)})."
            )
    return over


def has_values(export: Export, entity_name: str, column: str | None) -> bool:
    """The staging entity has rows (and, with a column, a value in it)."""
    if export.source == "salesforce":
        names = [n for n, e in SALESFORCE_ENTITY.items() if e == entity_name]
        if entity_name == "user_roles":
            users, roles = export.entity("user"), export.entity("user_role")
            if users is None or roles is None or not users.has_value("user_role_id"):
                return False
            return column is None or roles.has_value("name")
        if column is not None:
            name, column = SALESFORCE_COLUMN.get(
                (entity_name, column), (names[0] if names else "", column)
            )
            names = [name]
    else:
        names = [entity_name]
    for name in names:
        entity = export.entity(name)
        if entity is not None and entity.file.rows and (column is None or entity.has_value(column)):
            return True
    return False


def mart_availability(export: Export, seeds: Path) -> list[tuple[str, list[str]]]:
    """Each mart with the reasons it cannot be built (none: it can)."""
    path = seeds / "mart_requirements.csv"
    if not path.is_file():
        return []
    _, rows = read_seed(path)
    marts: dict[str, list[str]] = {}
    for row in rows:
        reasons = marts.setdefault(row["mart"], [])
        entity = row["required_entity"]
        column = (row.get("required_column") or "").strip() or None
        if column is not None and not has_values(export, entity, None):
            continue  # the entity's own reason (no rows) says it already
        if not has_values(export, entity, column) and row["reason"] not in reasons:
            reasons.append(row["reason"])
    return list(marts.items())


def suggest_currency(export: Export) -> tuple[str | None, str]:
    types = export.entity("currency_type")
    if types is not None:
        corporate = [
            row.get("isocode")
            for row in types.file.rows
            if (row.get("iscorporate") or "").strip().lower() in TRUE_TEXTS and row.get("isocode")
        ]
        if len(corporate) == 1:
            return corporate[0].strip().upper(), "the corporate currency in CurrencyType"
    rates = export.entity("exchange_rates")
    if rates is not None:
        bases = {v.strip().upper() for v in rates.values("base_currency") if v}
        if len(bases) == 1:
            return bases.pop(), "the base_currency of exchange_rates"
    deals = export.entity("opportunities") or export.entity("opportunity")
    column = "currency" if export.source == "generic" else "currency_iso_code"
    if deals is not None:
        counts = Counter(v.strip().upper() for v in deals.values(column) if v)
        if counts:
            currency, count = counts.most_common(1)[0]
            return (
                currency,
                f"the most common deal currency ({count} of {sum(counts.values())} deals)",
            )
    return None, "the export names no currency: the seed's base currency applies"


def suggest_as_of(export: Export, date_order: str) -> tuple[str | None, str]:
    latest: tuple[datetime, str] | None = None
    for entity in export.entities:
        column = AS_OF_EVENTS.get(entity.spec.name)
        if column is None:
            continue
        for value in entity.values(column):
            moment = parse_moment(value, date_order)
            if moment is not None and (latest is None or moment > latest[0]):
                latest = (moment, f"{entity.file.path.name} {actual_name(entity, column)}")
    if latest is None:
        return None, "no event date found"
    return latest[0].date().isoformat(), f"the latest event: {latest[1]} {latest[0]:%Y-%m-%d %H:%M}"


def suggest_encoding(export: Export) -> tuple[str, str]:
    others = Counter(
        e.file.encoding for e in export.entities if e.file.encoding not in ("utf-8", "parquet")
    )
    if not others:
        return "utf-8", "every CSV file is UTF-8"
    encoding, _ = others.most_common(1)[0]
    names = ", ".join(e.file.path.name for e in export.entities if e.file.encoding == encoding)
    if len(others) > 1:
        export.blockers.append(
            f"The files are in different encodings ({', '.join(sorted(others))}); export_encoding"
            " is one value for every file: save them all again as 'CSV UTF-8'."
        )
    return encoding, f"not UTF-8: {names}"


def vars_line(settings: dict[str, object]) -> str:
    parts = []
    for key, value in settings.items():
        text = str(value)
        parts.append(f"{key}: {text}" if re.fullmatch(r"[\w./-]+", text) else f"{key}: '{text}'")
    return "{" + ", ".join(parts) + "}"
