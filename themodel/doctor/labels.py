"""Stage, status, role, activity-type and currency labels of the export that the seeds
do not map, and the seed rows to add for them (--write-mappings)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from themodel.doctor.export import Entity, Export
from themodel.doctor.project import LabelSource, clean_label, header_key, label_sources, read_seed


def label_counts(export: Export, label: LabelSource) -> Counter[str]:
    """Each label as written (first spelling seen) with its rows."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for name, column in label.columns:
        entity = export.entity(name)
        if entity is None:
            continue
        for text in label_values(export, entity, name, column, label):
            key = clean_label(text)
            if key is None:
                continue
            if label.kind == "currency":
                key = key.upper()
            written = spelling.setdefault(
                key, key if label.kind == "currency" else re.sub(r"\s+", " ", text).strip()
            )
            counts[written] += 1
    return counts


def label_values(
    export: Export, entity: Entity, name: str, column: str, label: LabelSource
) -> Iterator[str | None]:
    if label.history_field is not None:
        for row in entity.file.rows:
            if header_key(row.get("field") or "") == header_key(label.history_field):
                yield row.get(header_key(column))
        return
    if name == "task":
        # the subtype, or the type when the subtype is empty or `Task` (raw_salesforce__activities)
        for row in entity.file.rows:
            subtype = row.get("tasksubtype")
            yield row.get("type") if clean_label(subtype) in (None, "task") else subtype
        return
    if name == "event":
        yield from ("Event" for _ in entity.file.rows)
        return
    if name == "user_role":
        # a role counts for the users who hold it (raw_salesforce__user_roles)
        users = export.entity("user")
        names = {row.get("id"): row.get("name") for row in entity.file.rows}
        if users is not None:
            for row in users.file.rows:
                role_id = row.get("userroleid")
                if role_id:
                    yield names.get(role_id) or names.get(role_id[:15])
        return
    yield from entity.values(column)


def known_labels(seeds: Path, label: LabelSource, source: str, export: Export) -> set[str]:
    _, rows = read_seed(seeds / label.seed)
    if label.kind == "currency":
        known = {row["currency"].strip().upper() for row in rows} | {
            row["base_currency"].strip().upper() for row in rows
        }
        return known | export_currencies(export)
    if label.seed == "role_mapping.csv":
        return {clean_label(row["source_label"]) for row in rows}
    rows = [row for row in rows if row["source_system"] == source]
    if label.entity_type:
        rows = [row for row in rows if row["entity_type"] == label.entity_type]
    return {clean_label(row["source_label"]) for row in rows}


def export_currencies(export: Export) -> set[str]:
    """Currencies the export's own rate files give a rate for."""
    found = set()
    for name, columns in (
        ("exchange_rates", ("currency", "base_currency")),
        ("currency_type", ("iso_code",)),
        ("dated_conversion_rate", ("iso_code",)),
    ):
        entity = export.entity(name)
        if entity is not None:
            for column in columns:
                found |= {v.strip().upper() for v in entity.values(column) if v}
    return found


def label_key(label: LabelSource, text: str) -> str | None:
    return text.strip().upper() if label.kind == "currency" else clean_label(text)


@dataclass
class Unmapped:
    label: LabelSource
    counts: Counter[str]


def unmapped_labels(export: Export, seeds: Path) -> list[Unmapped]:
    """Per kind of label, those the seeds (and the export's rates) do not know."""
    merged: dict[tuple[str, str, str | None], Unmapped] = {}
    for label in label_sources(export.source or "generic"):
        known = known_labels(seeds, label, export.source or "generic", export)
        counts = label_counts(export, label)
        missing = Counter(
            {text: n for text, n in counts.items() if label_key(label, text) not in known}
        )
        key = (label.kind, label.seed, label.entity_type)
        if key in merged:
            merged[key].counts.update(missing)
        else:
            merged[key] = Unmapped(label, missing)
    return [u for u in merged.values() if u.counts]


def mapping_rows(
    unmapped: Unmapped, header: list[str], source: str, base_currency: str
) -> list[dict[str, str]]:
    """The seed rows to add, with what the user must decide left empty."""
    rows = []
    for text in sorted(unmapped.counts, key=lambda t: (-unmapped.counts[t], t)):
        row = dict.fromkeys(header, "")
        if unmapped.label.seed == "stage_mapping.csv":
            row.update(
                source_system=source,
                entity_type=unmapped.label.entity_type or "",
                source_label=text,
            )
        elif unmapped.label.seed == "role_mapping.csv":
            row.update(source_label=text)
        elif unmapped.label.seed == "activity_type_mapping.csv":
            row.update(source_system=source, source_label=text)
        else:
            row.update(currency=text, base_currency=base_currency)
        rows.append(row)
    return rows


# what the user decides in each seed's new rows (docs: models/staging/crm/_crm__docs.md)
TO_DECIDE = {
    "stage_mapping.csv": "canonical_stage, stage_order, owning_role, is_won, is_lost (1 or 0)"
    " and milestone",
    "role_mapping.csv": "canonical_role (marketing, inside_sales, field_sales,"
    " customer_success, manager or other)",
    "activity_type_mapping.csv": "activity_type (call, email, meeting or other)",
    "exchange_rates.csv": "rate_date and rate (units of base_currency for one unit of the"
    " currency)",
}


def write_mappings(folder: Path, unmapped: list[Unmapped], seeds: Path, source: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    _, rate_rows = read_seed(seeds / "exchange_rates.csv")
    base = (
        Counter(row["base_currency"] for row in rate_rows).most_common(1)[0][0] if rate_rows else ""
    )
    written = []
    for seed in dict.fromkeys(u.label.seed for u in unmapped):
        header, _ = read_seed(seeds / seed)
        rows = [
            row
            for u in unmapped
            if u.label.seed == seed
            for row in mapping_rows(u, header, source, base)
        ]
        path = folder / seed
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written


def unmapped_shares(export: Export, seeds: Path, max_share: float, min_rows: int) -> list[str]:
    """Files whose rows with an unmapped label alone pass quarantine_max_share. Only the
    label of the row itself counts (a stage, a status, a role, a type), not a history's
    old values; currencies are left out (a missing rate follows missing_rate_policy)."""
    over = []
    source = export.source or "generic"
    for label in label_sources(source):
        if label.kind == "currency" or label.history_field is not None:
            continue
        known = known_labels(seeds, label, source, export)
        for name, column in label.columns:
            entity = export.entity(name)
            if entity is None or not entity.file.rows or len(entity.file.rows) < min_rows:
                continue
            values = list(label_values(export, entity, name, column, label))
            lost = sum(
                1 for v in values if clean_label(v) is not None and label_key(label, v) not in known
            )
            if values and lost / len(values) > max_share:
                over.append(f"{entity.file.path.name} ({lost} of {len(values)} rows)")
            break
    return list(dict.fromkeys(over))
