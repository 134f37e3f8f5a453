"""The command: arguments, the report in short sections, the exit code."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from themodel.doctor.export import Export, actual_name, check_files, detect
from themodel.doctor.findings import (
    EntityFacts,
    entity_facts,
    mart_availability,
    quarantine_forecast,
    suggest_as_of,
    suggest_currency,
    suggest_encoding,
    vars_line,
)
from themodel.doctor.labels import (
    TO_DECIDE,
    Unmapped,
    unmapped_labels,
    unmapped_shares,
    write_mappings,
)
from themodel.doctor.project import MAIN_DATE, PROJECT, Spec, export_specs, project_vars

# labels listed per kind; the rest are counted (a CRM with hashed labels has thousands)
SHOWN_LABELS = 30


def section(title: str, lines: Iterable[str]) -> str:
    body = [f"  {line}" for line in lines]
    return "\n".join([title, *body]) if body else ""


def day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "?"


def entity_line(fact: EntityFacts, export: Export) -> str:
    """One file of an entity: rows, date range, required columns."""
    entity = fact.entity
    column, _ = MAIN_DATE[entity.spec.name]
    name = actual_name(entity, column) if column else ""
    if column is None:
        dates = "no date column"
    elif not entity.has_column(column):
        dates = f"no {name} column"
    elif fact.first is None:
        dates = f"no readable {name}"
    else:
        dates = f"{name} {day(fact.first)} to {day(fact.last)}"
    missing = set(entity.missing_required())
    required = ", ".join(
        actual_name(entity, c) + (" MISSING" if c in missing else "") for c in entity.spec.required
    )
    what = "present" if not missing else "not all present"
    label = entity.spec.entity if export.source == "generic" else f"{entity.spec.entity}"
    return (
        f"{label} ({entity.file.path.name}): {fact.rows:,} rows, {dates};"
        f" required columns {what}: {required}"
    )


def files_section(export: Export) -> str:
    lines = [
        f"{e.file.path.name:<32} {e.file.encoding}"
        + (f", delimiter {e.file.delimiter!r}" if e.file.encoding != "parquet" else "")
        for e in export.entities
    ]
    if export.unused:
        lines.append(
            f"not read (staging uses no such file): {', '.join(p.name for p in export.unused)}"
        )
    return section("Files", lines)


def entities_section(export: Export, specs: list[Spec], facts: list[EntityFacts]) -> str:
    lines = [entity_line(f, export) for f in facts]
    found = {e.spec.entity for e in export.entities}
    absent = dict.fromkeys(s.entity for s in specs if s.entity not in found and not s.file_required)
    if absent:
        lines.append(f"not in the export (optional): {', '.join(absent)}")
    return section("Entities", lines)


def label_text(text: str, pipeline: str) -> str:
    """A label as listed: quoted, with the pipeline whose own rows lack it."""
    return repr(text) + (f" (pipeline {pipeline})" if pipeline else "")


def labels_section(
    export: Export, unmapped: list[Unmapped], seeds: Path, write_to: str | None
) -> str:
    if not unmapped:
        return section(
            "Labels not in the seeds",
            ["none: every stage, status, role, activity-type and currency label is mapped"],
        )
    lines = []
    for u in unmapped:
        where = f"seeds/{u.label.seed}"
        if u.label.entity_type:
            where += f", {export.source}/{u.label.entity_type}"
        lines.append(f"{u.label.kind} ({where}): {len(u.counts)} not mapped")
        ordered = sorted(u.counts.items(), key=lambda item: (-item[1], item[0]))
        lines += [
            f"  {label_text(text, pipeline):<40} {count:>7,} rows"
            for (text, pipeline), count in ordered[:SHOWN_LABELS]
        ]
        if len(ordered) > SHOWN_LABELS:
            rest = sum(count for _, count in ordered[SHOWN_LABELS:])
            lines.append(
                f"  ... and {len(ordered) - SHOWN_LABELS:,} more ({rest:,} rows;"
                " --write-mappings writes them all)"
            )
    lines.append("the build quarantines rows with these labels until the seeds map them")
    if not write_to:
        lines.append("to get the seed rows to add: --write-mappings FOLDER")
        return section("Labels not in the seeds", lines)
    written = write_mappings(Path(write_to), unmapped, seeds, export.source or "generic")
    shown = "seeds" if seeds.resolve() == (PROJECT / "seeds").resolve() else str(seeds)
    lines.append(f"wrote the missing seed rows to {', '.join(str(p) for p in written)}:")
    for path in written:
        lines.append(f"  {path.name}: fill in {TO_DECIDE[path.name]},")
        lines.append(f"  then append the rows: tail -n +2 {path} >> {shown}/{path.name}")
    lines.append("  then run doctor again, and build (dbt build loads the seeds).")
    return section("Labels not in the seeds", lines)


def marts_section(export: Export, seeds: Path) -> str:
    marts = mart_availability(export, seeds)
    if not marts:
        return ""
    can = [mart for mart, reasons in marts if not reasons]
    cannot = [(mart, reasons) for mart, reasons in marts if reasons]
    lines = [f"can build ({len(can)}): {', '.join(can) or 'none'}"]
    if cannot:
        lines.append(f"cannot build ({len(cannot)}), empty after the build:")
        lines += [f"  {mart}: {'; '.join(reasons)}" for mart, reasons in cannot]
    return section("Marts", lines)


def export_path(folder: Path) -> str:
    """crm_export_path as dbt, run from the project root, finds the folder: as the user
    wrote it when doctor runs there too (make doctor), else absolute."""
    if not folder.is_absolute() and Path.cwd().resolve() == PROJECT.resolve():
        return str(folder)
    return str(folder.resolve())


def settings_section(
    export: Export, date_order: str, over: list[str], max_share: float
) -> tuple[str, dict[str, object]]:
    """The suggested settings, and the vars to build with."""
    settings: dict[str, object] = {
        "crm_export_path": export_path(export.folder),
        "crm_source": export.source,
    }
    currency, why_currency = suggest_currency(export)
    as_of, why_as_of = suggest_as_of(export, date_order)
    encoding, why_encoding = suggest_encoding(export)
    lines = [
        f"reporting_currency: {currency or '(default)'}  ({why_currency})",
        f"as_of_date: {as_of or '(default)'}  ({why_as_of})",
        f"export_encoding: {encoding}  ({why_encoding})",
    ]
    if currency:
        settings["reporting_currency"] = currency
    if as_of:
        settings["as_of_date"] = as_of
    if encoding != "utf-8":
        settings["export_encoding"] = encoding
    if over:
        settings["quarantine_max_share"] = 1
        lines.append(
            f"quarantine_max_share: 1  ({', '.join(over)} will be quarantined, more than"
            f" {max_share:g}, for data the export lacks and no seed supplies; the build stops"
            " otherwise. Better: export the missing column)"
        )
    return section("Suggested settings", lines), settings


def report(args: argparse.Namespace) -> int:
    folder = Path(args.exports)
    seeds = Path(args.seeds)
    variables = project_vars()
    date_order = str(args.date_order or variables.get("date_order") or "MDY").upper()
    max_share = float(
        args.quarantine_max_share
        if args.quarantine_max_share is not None
        else variables.get("quarantine_max_share", 0.05)
    )
    # the gate warns only under quarantine_min_rows rows, where the var exists
    min_rows = int(variables.get("quarantine_min_rows", 0) or 0)
    export = detect(folder)
    source = f"  (crm_source: {export.source})" if export.source else ""
    out = [f"The Model doctor: {folder}", section("Format", [export.format_name + source])]
    if export.source is None:
        return finish(out, export, None)
    specs = export_specs(export.source)
    check_files(export, specs)
    facts = [entity_facts(e, date_order) for e in export.entities if e.file.error is None]
    unmapped = unmapped_labels(export, seeds)
    out += [
        files_section(export),
        entities_section(export, specs, facts),
        labels_section(export, unmapped, seeds, args.write_mappings),
    ]
    over = quarantine_forecast(export, facts, max_share, min_rows)
    unmapped_over = unmapped_shares(export, seeds, max_share, min_rows)
    for file_over in unmapped_over:
        export.blockers.append(
            f"{file_over} have a label the seeds do not map, more than quarantine_max_share"
            f" ({max_share:g}): the build would stop. Map the labels (--write-mappings), or"
            " raise quarantine_max_share."
        )
    out.append(
        section(
            "Rows the build will quarantine",
            export.warnings or ["none found (deleted flags, missing dates)"],
        )
    )
    out.append(marts_section(export, seeds))
    settings_text, settings = settings_section(
        export, date_order, over if not unmapped_over else [], max_share
    )
    out.append(settings_text)
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", folder.resolve().name).strip("_") or "exports"
    command = (
        f"THE_MODEL_DUCKDB_PATH=warehouse/{name}.duckdb .venv/bin/dbt build"
        f" --vars '{vars_line(settings)}'"
    )
    return finish(out, export, command)


def finish(out: list[str], export: Export, command: str | None) -> int:
    if export.blockers:
        numbered = [f"{i}. {blocker}" for i, blocker in enumerate(export.blockers, 1)]
        out.append(section(f"Blockers ({len(export.blockers)}): fix these first", numbered))
        out.append("Result: NOT READY to build (exit 1)")
    else:
        out.append(
            section(
                "Next", ["from the project root, build into a warehouse of its own:", command or ""]
            )
        )
        out.append("Result: READY to build (exit 0)")
    print("\n\n".join(part for part in out if part))
    return 1 if export.blockers else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m themodel doctor",
        description="Check a CRM export folder before the first build: format, files,"
        " labels, marts and settings. Reads files only; opens no warehouse.",
    )
    p.add_argument("--exports", required=True, help="folder holding the export files")
    p.add_argument(
        "--write-mappings",
        metavar="FOLDER",
        help="write the seed rows the export needs to FOLDER/<seed>.csv",
    )
    p.add_argument(
        "--seeds",
        default=str(PROJECT / "seeds"),
        help="the seeds folder to check labels against (default: the project's)",
    )
    p.add_argument(
        "--date-order",
        choices=["MDY", "DMY", "YMD"],
        help="order of day/month dates (var date_order)",
    )
    p.add_argument(
        "--quarantine-max-share",
        type=float,
        help="the var quarantine_max_share (default: dbt_project.yml)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as stop:  # --help (0) or a usage error (2)
        return 0 if not stop.code else 2
    if not Path(args.exports).is_dir():
        print(f"doctor: --exports {args.exports} is not a folder", file=sys.stderr)
        return 2
    if not Path(args.seeds, "stage_mapping.csv").is_file():
        print(f"doctor: --seeds {args.seeds} holds no stage_mapping.csv", file=sys.stderr)
        return 2
    try:
        return report(args)
    except OSError as error:  # a folder or file the user may not read: say which
        where = error.filename or args.exports
        print(f"doctor: cannot read {where}: {error.strerror or error}", file=sys.stderr)
        return 1
