"""A newcomer's first `make demo`: the demo build warns about nothing (its planted
bad rows are information, reported by the summary), the terminal gets a short view
of dbt's output with the full log kept, and the summary ends with what to run next."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from themodel.progress import summarise
from themodel.summary import print_next_steps
from themodel.warehouse import DEFAULT_DATABASE

PROJECT = Path(__file__).resolve().parents[2]


def test_the_demo_build_log_has_no_warning(demo_build):
    lines = demo_build.output.splitlines()
    assert any(re.search(r"Done\. PASS=\d+ WARN=0 ERROR=0", line) for line in lines)
    assert [line for line in lines if re.search(r"\bWARN(ING)?\b(?!=)", line)] == []
    assert not any("Completed with" in line for line in lines)


def test_the_short_view_keeps_the_whole_log_and_shows_little(demo_build):
    log, shown = io.StringIO(), io.StringIO()
    summarise(io.StringIO(demo_build.output), log, shown)
    assert log.getvalue() == demo_build.output
    view = shown.getvalue().splitlines()
    assert len(view) <= 15 < len(demo_build.output.splitlines()) // 10
    assert view[-1].strip().startswith("Done. PASS=")
    assert any("nodes done" in line for line in view)


def summary(database: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "themodel", "summary", "--database", str(database)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_summary_reports_the_planted_rows_as_information(demo_build):
    text = summary(demo_build.database)
    assert f"built from {demo_build.exports}" in text
    assert "information: all 16 are bad rows the demo generator planted on purpose" in text
    assert "fix them in the export" not in text


def test_the_summary_ends_with_the_next_steps(demo_build):
    text = summary(demo_build.database)
    steps = text[text.index("next steps") :]
    assert f"-m themodel report --database {demo_build.database}" in steps
    assert re.search(r"warehouse/report/report_\d{4}-\d\d-\d\d_all\.html", steps)
    assert f"THE_MODEL_DUCKDB_PATH={demo_build.database} make validate" in steps
    assert "make doctor EXPORTS=" in steps
    assert text.rstrip().splitlines()[-1] == steps.rstrip().splitlines()[-1]


def test_the_demo_warehouse_next_steps_are_the_make_commands(capsys):
    print_next_steps(Path(DEFAULT_DATABASE), "2025-12-31")
    steps = capsys.readouterr().out
    for command, writes in (
        ("make report", "warehouse/report/report_2025-12-31_all.html"),
        ("make docs", "warehouse/docs/index.html"),
        ("make validate", "warehouse/gx/"),
        ("make doctor EXPORTS=", ""),
    ):
        assert command in steps and writes in steps, command
