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
from themodel.doctor.files import Row
from themodel.doctor.project import (
    LabelSource,
    clean_label,
    header_key,
    label_sources,
    project_vars,
    read_seed,
)


def pipeline_key(text: str | None, source: str, default: str) -> str:
    """A deal's pipeline as staging compares it (macros/staging/pipelines.sql): trimmed;
    a Salesforce record type id by its 15-character form; none: default_pipeline_id."""
    text = (text or "").strip()
    if not text:
        return default
    return text[:15] if source == "salesforce" and len(text) == 18 else text


def deal_pipelines(export: Export, default: str) -> dict[str, str]:
    """Each deal's pipeline, by the deal's id (and its 15-character form)."""
    source = export.source or "generic"
    name, id_column, pipeline_column = (
        ("opportunities", "opportunity_id", "pipeline_id")
        if source == "generic"
        else ("opportunity", "id", "record_type_id")
    )
    deals = export.entity(name)
    found: dict[str, str] = {}
    if deals is None:
        return found
    for row in deals.file.rows:
        deal = (row.get(header_key(id_column)) or "").strip()
        found[deal[:15] if source == "salesforce" else deal] = pipeline_key(
            row.get(header_key(pipeline_column)), source, default
        )
    return found


@dataclass
class Known:
    """The labels a seed maps: for stages, per pipeline (a pipeline with rows of its own
    keeps of the all-pipelines rows only the milestones it gives no stage of its own)."""

    everywhere: set[str | None]
    own: dict[str, set[str | None]]

    def pipeline(self, pipeline: str) -> str:
        """The pipeline a new seed row is for: '' unless it has rows of its own."""
        return pipeline if pipeline in self.own else ""

    def knows(self, key: str | None, pipeline: str = "") -> bool:
        own = self.pipeline(pipeline)
        return key in (self.own[own] if own else self.everywhere)


def known_labels(seeds: Path, label: LabelSource, source: str, export: Export) -> Known:
    _, rows = read_seed(seeds / label.seed)
    if label.kind == "currency":
        known = {row["currency"].strip().upper() for row in rows} | {
            row["base_currency"].strip().upper() for row in rows
        }
        return Known(known | export_currencies(export), {})
    if label.seed == "role_mapping.csv":
        return Known({clean_label(row["source_label"]) for row in rows}, {})
    rows = [row for row in rows if row["source_system"] == source]
    if label.entity_type:
        rows = [row for row in rows if row["entity_type"] == label.entity_type]
    if label.seed != "stage_mapping.csv":
        return Known({clean_label(row["source_label"]) for row in rows}, {})
    default = str(project_vars().get("default_pipeline_id") or "default")
    shared = [row for row in rows if not (row.get("pipeline_id") or "").strip()]
    own: dict[str, set[str | None]] = {}
    for pipeline in {pipeline_key(row.get("pipeline_id"), source, default) for row in rows}:
        mine = [
            row for row in rows if pipeline_key(row.get("pipeline_id"), source, default) == pipeline
        ]
        if not (mine[0].get("pipeline_id") or "").strip():
            continue  # the all-pipelines rows
        milestones = {row["milestone"] for row in mine if row["milestone"]}
        own[pipeline] = {clean_label(row["source_label"]) for row in mine} | {
            clean_label(row["source_label"])
            for row in shared
            if row["milestone"] and row["milestone"] not in milestones
        }
    return Known({clean_label(row["source_label"]) for row in shared}, own)


def label_counts(export: Export, label: LabelSource, known: Known) -> Counter[tuple[str, str]]:
    """Each label the seed does not know, as written (first spelling seen), with the
    pipeline a new seed row is for ('' = all) and its rows."""
    counts: Counter[tuple[str, str]] = Counter()
    spelling: dict[str, str] = {}
    for name, column in label.columns:
        entity = export.entity(name)
        if entity is None:
            continue
        for text, pipeline in label_values(export, entity, name, column, label):
            key = label_key(label, text)
            if key is None or known.knows(key, pipeline):
                continue
            written = spelling.setdefault(
                key, key if label.kind == "currency" else re.sub(r"\s+", " ", text).strip()
            )
            counts[(written, known.pipeline(pipeline))] += 1
    return counts


def label_values(
    export: Export, entity: Entity, name: str, column: str, label: LabelSource
) -> Iterator[tuple[str | None, str]]:
    """Each row's label, with its deal's pipeline for a deal stage ('' otherwise)."""
    if label.entity_type != "opportunity":
        for _, text in row_labels(export, entity, name, column, label):
            yield text, ""
        return
    source = export.source or "generic"
    default = str(project_vars().get("default_pipeline_id") or "default")
    pipelines = deal_pipelines(export, default)
    is_deal = name in ("opportunities", "opportunity")
    deal_column = header_key("id" if source == "salesforce" and is_deal else "opportunity_id")
    for row, text in row_labels(export, entity, name, column, label):
        deal = ((row.get(deal_column) if row else None) or "").strip()
        deal = deal[:15] if source == "salesforce" else deal
        yield text, pipelines.get(deal, default)


def row_labels(
    export: Export, entity: Entity, name: str, column: str, label: LabelSource
) -> Iterator[tuple[Row | None, str | None]]:
    """Each label with the row it is on, read as staging's raw models read it."""
    if label.history_field is not None:
        for row in entity.file.rows:
            if header_key(row.get("field") or "") == header_key(label.history_field):
                yield row, row.get(header_key(column))
        return
    if name == "task":
        # the subtype, or the type when the subtype is empty or `Task` (raw_salesforce__activities)
        for row in entity.file.rows:
            subtype = row.get("tasksubtype")
            yield row, row.get("type") if clean_label(subtype) in (None, "task") else subtype
        return
    if name == "event":
        yield from ((row, "Event") for row in entity.file.rows)
        return
    if name == "user_role":
        # a role counts for the users who hold it (raw_salesforce__user_roles)
        users = export.entity("user")
        names = {row.get("id"): row.get("name") for row in entity.file.rows}
        if users is not None:
            for row in users.file.rows:
                role_id = row.get("userroleid")
                if role_id:
                    yield row, names.get(role_id) or names.get(role_id[:15])
        return
    key = header_key(column)
    yield from ((row, row.get(key)) for row in entity.file.rows)


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


def label_key(label: LabelSource, text: str | None) -> str | None:
    if label.kind == "currency":
        return (text or "").strip().upper() or None
    return clean_label(text)


@dataclass
class Unmapped:
    label: LabelSource
    counts: Counter[tuple[str, str]]  # (label as written, pipeline of the new row) -> rows


def unmapped_labels(export: Export, seeds: Path) -> list[Unmapped]:
    """Per kind of label, those the seeds (and the export's rates) do not know."""
    merged: dict[tuple[str, str, str | None], Unmapped] = {}
    source = export.source or "generic"
    for label in label_sources(source):
        missing = label_counts(export, label, known_labels(seeds, label, source, export))
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
    for text, pipeline in sorted(unmapped.counts, key=lambda t: (-unmapped.counts[t], t)):
        row = dict.fromkeys(header, "")
        if unmapped.label.seed == "stage_mapping.csv":
            row.update(
                source_system=source,
                entity_type=unmapped.label.entity_type or "",
                source_label=text,
                pipeline_id=pipeline,
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
    label of the row itself counts (a stage, a status, a role, a type, a currency staging
    has no rate for: rule unknown_currency), not a history's old values."""
    over = []
    source = export.source or "generic"
    for label in label_sources(source):
        if label.history_field is not None:
            continue
        known = known_labels(seeds, label, source, export)
        for name, column in label.columns:
            entity = export.entity(name)
            if entity is None or not entity.file.rows or len(entity.file.rows) < min_rows:
                continue
            values = list(label_values(export, entity, name, column, label))
            lost = sum(
                1
                for text, pipeline in values
                if label_key(label, text) is not None
                and not known.knows(label_key(label, text), pipeline)
            )
            if values and lost / len(values) > max_share:
                over.append(f"{entity.file.path.name} ({lost} of {len(values)} rows)")
            break
    return list(dict.fromkeys(over))
