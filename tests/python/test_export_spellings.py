"""Booleans written "0"/"1" and dates written "2023-05-01 00:00:00", on the real
Salesforce sample: staging must give the values of the sample as exported.

The sample writes TRUE/FALSE and US dates (02/03/24, 02/23/26 08:55 PM). Here every
boolean is rewritten 1/0, every date and date-time ISO with a time, and some date
columns with a time and an offset (as a connector's timestamptz column prints); the
staged tables must equal those of the original, the calendar dates unmoved.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from test_export_encoding import SAMPLE, build, staged_tables

DATE_COLUMNS = {"CloseDate", "ConvertedDate", "LastActivityDate", "EmailBouncedDate"}
# files whose date columns get a time and an offset; one spelling per file, as an
# export writes it (the history's close dates are compared as text between rows)
OFFSET_FILES = {"OpportunityHistory.csv", "Lead.csv"}


def respell(value: str, column: str, file_name: str) -> str:
    if value in ("TRUE", "FALSE"):
        return "1" if value == "TRUE" else "0"
    for form in ("%m/%d/%y %I:%M %p", "%m/%d/%y"):
        try:
            moment = datetime.strptime(value, form)
        except ValueError:
            continue
        if column in DATE_COLUMNS and file_name in OFFSET_FILES:
            # as a connector prints a date kept as a timestamp with time zone
            return moment.strftime("%Y-%m-%dT%H:%M:%S+09:00")
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return value


def write_respelled(folder: Path) -> int:
    folder.mkdir(parents=True)
    changed = 0
    for path in sorted(SAMPLE.glob("*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        header = rows[0]
        for row in rows[1:]:
            for index, value in enumerate(row):
                row[index] = respell(value, header[index], path.name)
                changed += row[index] != value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        (folder / path.name).write_text(out.getvalue(), encoding="utf-8")
    return changed


def test_zero_one_booleans_and_dates_with_a_time_stage_as_the_original(tmp_path):
    if not SAMPLE.is_dir():
        pytest.skip(f"real export samples not found: {SAMPLE} is missing")
    original = tmp_path / "original"
    original.mkdir()
    result = build(original, SAMPLE)
    assert result.returncode == 0, result.stdout[-5000:]
    respelled = tmp_path / "respelled"
    assert write_respelled(respelled / "exports") > 500
    history = (respelled / "exports" / "OpportunityHistory.csv").read_text(encoding="utf-8")
    assert "T00:00:00+09:00" in history
    assert ",0,0," in (respelled / "exports" / "Opportunity.csv").read_text(encoding="utf-8")
    result = build(respelled, respelled / "exports")
    assert result.returncode == 0, result.stdout[-5000:]
    want = staged_tables(original / "warehouse.duckdb")
    got = staged_tables(respelled / "warehouse.duckdb")
    # the typed tables, not the raw text (which is spelled differently on purpose)
    for name in (
        "staging.stg_crm__opportunities",
        "staging.stg_crm__opportunity_changes",
        "staging.stg_crm__accounts",
        "staging.stg_crm__leads",
        "quarantine.row_accounting",
    ):
        pd.testing.assert_frame_equal(got[name], want[name], obj=name)
    opportunities = want["staging.stg_crm__opportunities"]
    assert opportunities["is_closed"].notna().all() and opportunities["is_won"].any()
    assert opportunities["close_date"].notna().all()
