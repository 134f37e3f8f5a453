"""Bad-input cases: files and values that stop the build; each stop names the
file, the row or key, the rule and the fix.

PLANTED cases are built together in one copy of the demo exports (each in rows
of its own, so every other mart figure must stay as it was); STOPPING cases
each stop a build of their file's models. test_bad_input runs them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from bad_input_kit import Planted, Stopping, read_rows


def multi_line_last_field(folder: Path) -> None:
    """handoff_note moved to the last column; a last row (an older version of a deal,
    superseded by the one in the file) whose note spans two lines, and no line break
    after its closing quote: a valid CSV file, not a truncated one."""
    header, rows = read_rows(folder, "opportunities")
    header = [name for name in header if name != "handoff_note"] + ["handoff_note"]
    older = {
        **rows[1],
        "amount": "7",
        "modified_at": "2020-01-01T00:00:00Z",
        "handoff_note": "Met at the expo.\nBudget holder, signs in Q3.",
    }
    path = folder / "opportunities.csv"
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, older])
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")


def header_only(entity: str):
    def corrupt(folder: Path) -> None:
        path = folder / f"{entity}.csv"
        with open(path, encoding="utf-8") as file:
            header = file.readline()
        path.write_text(header, encoding="utf-8")

    return corrupt


def edit_line(entity: str, position: int, edit: Callable[[str], str]) -> Callable[[Path], None]:
    """Rewrite the text of one line of an export (1 = header)."""

    def corrupt(folder: Path) -> None:
        path = folder / f"{entity}.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[position - 1] = edit(lines[position - 1])
        path.write_text("\n".join(lines), encoding="utf-8")

    return corrupt


def unquoted_comma_in_name(line: str) -> str:
    # accounts: account_id,account_name,... -> a name with a comma and no quotes
    key, name, rest = line.split(",", 2)
    return f"{key},{name.strip(chr(34))}, Inc.,{rest}"


def line_break_in_unquoted_value(line: str) -> str:
    # leads: the channel value broken over two lines, without quotes
    fields = line.split(",")
    fields[3] = fields[3] + "\nsee notes"
    return ",".join(fields)


def open_quote_in_value(line: str) -> str:
    # contracts: a CSM id quoted, then text after the closing quote ("u-csm-001" (on leave))
    fields = line.split(",")
    fields[7] = f'"{fields[7]}" (on leave)'
    return ",".join(fields)


def cut_inside_quoted_note(folder: Path) -> None:
    """A file cut off inside a quoted note of several lines: really truncated."""
    path = folder / "opportunities.csv"
    text = path.read_text(encoding="utf-8").rstrip("\r\n")
    path.write_text(
        text + "\nopp-cut-1,acc-0000001,,new_business,2025-01-01T00:00:00Z,,,Handed Off,"
        '1000,KRW,2025-03-01,false,false,,,,"First line of the note\nsecond li',
        encoding="utf-8",
    )


def csv_text_named_parquet(folder: Path) -> None:
    """user_roles.csv renamed user_roles.parquet: a CSV file under a Parquet name."""
    (folder / "user_roles.csv").rename(folder / "user_roles.parquet")


PLANTED: list[Planted] = [
    Planted(
        "multi_line_last_field_is_read",
        "opportunities",
        multi_line_last_field,
        (),
        staged={"opportunities": (0, 1)},
    ),
]

STOPPING: list[Stopping] = [
    Stopping(
        "required_file_with_header_only",
        "leads",
        header_only("leads"),
        (
            "has no rows: only its header line (rule: no_rows)",
            "leads is required",
            "Export it again with its rows",
            "marketing_kpis_monthly",
            "take 'leads' out of the var required_export_files",
        ),
    ),
    Stopping(
        "row_with_more_fields_than_the_header",
        "accounts",
        edit_line("accounts", 4, unquoted_comma_in_name),
        (
            "accounts.csv, line 4 (account_id '",
            "fields where the header has",
            "rule: field_count",
            "Fix: put such values in double quotes",
        ),
    ),
    Stopping(
        "row_split_by_a_line_break",
        "leads",
        edit_line("leads", 7, line_break_in_unquoted_value),
        (
            "leads.csv, line 7 (lead_id '",
            "column 'campaign_id' and those after it are missing",
            "rule: field_count",
            "A line break inside a value without quotes splits its row in two",
        ),
    ),
    Stopping(
        "quoted_value_left_open",
        "contracts",
        edit_line("contracts", 3, open_quote_in_value),
        (
            "contracts.csv, line 3 (contract_id '",
            "column 'csm_id'",
            "a quoted value is not closed before the next delimiter",
            "rule: unclosed_quote",
            'write a quote inside a value as two quotes ("")',
        ),
    ),
    Stopping(
        "cut_inside_a_quoted_note",
        "opportunities",
        cut_inside_quoted_note,
        ("looks truncated", "a quoted value left open", "export the file again"),
    ),
    Stopping(
        "csv_text_in_a_parquet_file",
        "user_roles",
        csv_text_named_parquet,
        (
            "user_roles.parquet is not a Parquet file",
            "rule: not_parquet",
            "Fix: export it again as Parquet, or as CSV to",
        ),
    ),
]
