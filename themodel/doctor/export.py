"""The export folder as found: its format, its files read, and the blockers a build
would stop at (a required file or column missing, a file that cannot be read)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from themodel.doctor.files import ExportFile, find_file, read_export_file
from themodel.doctor.project import (
    EXTENSIONS,
    HUBSPOT_FILES,
    SALESFORCE_ENTITY,
    TRUE_TEXTS,
    Spec,
    export_specs,
    header_key,
    kept_columns,
)


@dataclass
class Entity:
    spec: Spec
    file: ExportFile

    def values(self, column: str) -> Iterator[str | None]:
        key = header_key(column)
        if self.file.keep is not None and key not in self.file.keep:
            raise KeyError(f"{column} is not among the columns read row by row (kept_columns)")
        for row in self.file.rows:
            yield row.get(key)

    def has_value(self, column: str) -> bool:
        """Some row has a value in the column."""
        return header_key(column) in self.file.filled

    def has_column(self, column: str) -> bool:
        return header_key(column) in {header_key(name) for name in self.file.header}

    def missing_required(self) -> list[str]:
        return [column for column in self.spec.required if not self.has_column(column)]

    def deleted_rows(self) -> int:
        flags = [header_key(flag) for flag in ("is_deleted", "_fivetran_deleted")]
        flags = [flag for flag in flags if self.has_column(flag)]
        return sum(
            any((row.get(flag) or "").strip().lower() in TRUE_TEXTS for flag in flags)
            for row in self.file.rows
        )


@dataclass
class Export:
    folder: Path
    source: str | None  # generic | salesforce | None (unsupported or nothing found)
    format_name: str
    entities: list[Entity]
    unused: list[Path]
    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def entity(self, name: str) -> Entity | None:
        return next((e for e in self.entities if e.spec.name == name), None)


def export_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower().lstrip(".") in EXTENSIONS
    )


def matched(folder: Path, specs: list[Spec]) -> dict[str, Path]:
    found = {}
    for spec in specs:
        path = find_file(folder, spec.files)
        if path is not None:
            found[spec.name] = path
    return found


def is_hubspot(folder: Path) -> bool:
    stems = {p.stem.lower() for p in export_files(folder)}
    return sum(f"{name}_data" in stems or name in stems for name in HUBSPOT_FILES) >= 3 and not (
        {"opportunities", "opportunity", "sf_opportunity_data"} & stems
    )


def detect(folder: Path) -> Export:
    """The export's format and its files, read."""
    files = export_files(folder)
    if is_hubspot(folder):
        return Export(
            folder,
            None,
            "HubSpot connector tables (deal_data, company_data, owner_data ...)",
            [],
            files,
            blockers=[
                "HubSpot exports are not supported yet: staging reads the generic format "
                "(docs/generic_format.md) and Salesforce (docs/salesforce_format.md). Convert the "
                "HubSpot tables to the generic files, or wait for the HubSpot format."
            ],
        )
    candidates = {
        source: (specs := export_specs(source), matched(folder, specs))
        for source in ("generic", "salesforce")
    }
    source = max(candidates, key=lambda s: (len(candidates[s][1]), s == "generic"))
    specs, found = candidates[source]
    if not found:
        names = ", ".join(p.name for p in files[:8]) or "no CSV or Parquet file"
        return Export(
            folder,
            None,
            "not recognised",
            [],
            files,
            blockers=[
                f"No export file of a known format in {folder} ({names}). Name the files as "
                "docs/generic_format.md (opportunities.csv, leads.csv ...) or "
                "docs/salesforce_format.md (Opportunity.csv, Lead.csv ...) says."
            ],
        )
    if source == "generic":
        format_name = "generic export (docs/generic_format.md)"
    elif any(path.stem[:1].isupper() for path in found.values()):
        format_name = "Salesforce Data Export (docs/salesforce_format.md)"
    else:
        format_name = "Salesforce connector tables (docs/salesforce_format.md)"
    keep = kept_columns()
    entities = [
        Entity(spec, read_export_file(found[spec.name], keep))
        for spec in specs
        if spec.name in found
    ]
    used = set(found.values())
    return Export(folder, source, format_name, entities, [p for p in files if p not in used])


def format_doc(source: str | None) -> str:
    return "docs/salesforce_format.md" if source == "salesforce" else "docs/generic_format.md"


def check_files(export: Export, specs: list[Spec]) -> None:
    """Blockers: a required file or column missing, a file that cannot be read."""
    doc = format_doc(export.source)
    for spec in specs:
        if spec.file_required and export.entity(spec.name) is None:
            names = " or ".join(f"{name}.csv" for name in spec.files[:2])
            fix = f"Put it in {export.folder} ({doc})"
            if export.source == "generic":
                fix += (
                    f", or build without it: take '{spec.name}' out of the var"
                    " required_export_files"
                )
            export.blockers.append(f"{names} is missing: the build needs {spec.entity}. {fix}.")
    for entity in export.entities:
        if entity.file.error:
            export.blockers.append(entity.file.error)
            continue
        missing = entity.missing_required()
        if missing:
            export.blockers.append(
                f"{entity.file.path.name} has no column {', '.join(missing)} (required; {doc})."
            )
        if not entity.file.rows and entity.spec.file_required:
            export.blockers.append(
                f"{entity.file.path.name} has no rows, only its header: export it again."
            )


def actual_name(entity: Entity, column: str) -> str:
    """The header as the file writes it, else the name the format documents."""
    for name in entity.file.header:
        if header_key(name) == header_key(column):
            return name
    if entity.spec.name in SALESFORCE_ENTITY:
        return "".join(part.capitalize() for part in column.split("_"))
    return column
