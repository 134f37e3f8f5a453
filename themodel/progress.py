"""`dbt build ... | python -m themodel progress --log FILE`: a short view of a dbt run.

Every line dbt prints goes to FILE unchanged. The terminal gets one line per tenth of
the nodes done, the project's own notes (which warehouse, what was replaced), every
warning and error line, and from dbt's closing "Completed with ..." or "Encountered
an error" on, everything: a failure is shown in full, never hidden. The exit status
is dbt's (the Makefile runs the pipe with pipefail).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# "12:00:01  41 of 436 OK created sql table model ..." (also PASS, WARN, ERROR, ...)
RESULT = re.compile(r"^\d\d:\d\d:\d\d\s+(\d+) of (\d+) (OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")
PROBLEM = re.compile(r"\b(WARN|WARNING|ERROR|FAIL)\b|Warning|Error")
START = re.compile(r"^\d+ of \d+ START ")
# lines the project's hooks log (macros/utils/warehouse_identity.sql)
NOTES = ("Warehouse ", "replace_warehouse:", "--full-refresh:")
TAIL_STARTS = ("Completed with", "Encountered an error", "Done.", "Completed successfully")


def message(line: str) -> str:
    """The line without colours and without dbt's leading time."""
    return re.sub(r"^\d\d:\d\d:\d\d\s+", "", ANSI.sub("", line)).rstrip("\n")


def summarise(lines: Iterable[str], log: TextIO, out: TextIO) -> None:
    done, total, shown_tenth, tail = 0, 0, 0, False
    for line in lines:
        log.write(line)
        text = message(line)
        if tail:
            out.write(f"  {text}\n" if text else "\n")
            continue
        result = RESULT.match(ANSI.sub("", line))
        if result and " hook: " in text:
            continue  # the project's hooks: counted apart from the nodes
        if result:
            done, total = done + 1, int(result.group(2))
            if result.group(3) in {"WARN", "ERROR", "FAIL"}:
                out.write(f"  {text}\n")
            tenth = done * 10 // total
            if tenth > shown_tenth:
                shown_tenth = tenth
                out.write(f"  dbt: {done} of {total} nodes done\n")
        elif START.match(text):
            continue
        elif text.startswith(NOTES):
            out.write(f"  {text}\n")
        elif text.startswith(TAIL_STARTS):
            tail = not text.startswith(("Done.", "Completed successfully"))
            out.write(f"  {text}\n")
        elif PROBLEM.search(text) and "WARN=0 ERROR=0" not in text:
            out.write(f"  {text}\n")
        out.flush()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m themodel progress", description=__doc__)
    parser.add_argument("--log", required=True, help="file that gets dbt's full output")
    args = parser.parse_args(argv)
    path = Path(args.log)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as log:
        summarise(sys.stdin, log, sys.stdout)
    print(f"  dbt's full log: {path}")
    return 0
