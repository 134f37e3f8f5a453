"""The parts every bad-input case is made of: read and write an export file,
append a copy of a row with some values changed, and the two kinds of case
(a corruption that quarantines rows, one that stops the build).

Cases live in the modules of their class (bad_input_parsing, bad_input_references,
bad_input_messages); test_bad_input builds them all.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def read_rows(folder: Path, entity: str) -> tuple[list[str], list[dict]]:
    with open(folder / f"{entity}.csv", encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


def write_rows(folder: Path, entity: str, header: list[str], rows: list[dict], **dialect) -> None:
    with open(folder / f"{entity}.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header, **dialect)
        writer.writeheader()
        writer.writerows(rows)


def add_row(folder: Path, entity: str, like: int = 0, **values: str) -> None:
    """Append a copy of an existing row (the `like`-th) with some values changed."""
    header, rows = read_rows(folder, entity)
    rows.append({**rows[like], **values})
    write_rows(folder, entity, header, rows)


# --- corruptions that quarantine rows (or are read as they are) ------------------


@dataclass(frozen=True)
class Planted:
    name: str
    entity: str
    plant: Callable[[Path], None]
    # (entity, rule, record_key) of each row it adds to quarantine ("row *": a row
    # without key, "*": any key); empty = nothing quarantined
    expected: tuple[tuple[str, str, str], ...]
    # how it moves row_accounting: entity -> (staged, superseded) added to the good build's
    staged: dict[str, tuple[int, int]] = field(default_factory=dict)


def open_deal(folder: Path) -> str:
    """A new-business deal still open in the export."""
    _, rows = read_rows(folder, "opportunities")
    return next(
        row["opportunity_id"]
        for row in rows
        if row["is_closed"] == "false" and row["opportunity_type"] == "new_business"
    )


NEW_LEAD = {"converted_at": "", "converted_opportunity_id": "", "status": "New"}
NEW_DEAL = {"stage": "Handed Off", "is_closed": "false", "is_won": "false", "lost_reason": ""}


@dataclass(frozen=True)
class Stopping:
    name: str
    entity: str
    corrupt: Callable[[Path], None]
    # what the message must say besides the file's path
    says: tuple[str, ...]
    # dbt vars for the build (e.g. number_format); the selection defaults to the file's models
    variables: dict[str, str] = field(default_factory=dict)
    select: str = ""
