"""The quarantine-share gate says why it stops the build: per entity over
quarantine_max_share, each rule with its count, its share, three example keys
and the fix, and how to raise the threshold (not dbt's bare "Got N results").

A staging-only build (the models up to row_accounting) of the demo exports with
200 activities of a type no mapping knows, and quarantine_max_share at 1%.
"""

from __future__ import annotations

import shutil

import pytest
from bad_input_kit import read_rows, write_rows
from test_build_generic import dbt

from themodel.load import LoadError, load


def test_quarantine_share_gate_names_entity_rule_count_share_keys_and_fix(demo_build, tmp_path):
    exports = tmp_path / "exports"
    shutil.copytree(demo_build.exports, exports)
    header, rows = read_rows(exports, "activities")
    first_row = len(rows) + 1
    fax = [
        {**rows[0], "activity_id": f"act-fax-{number:03d}", "activity_type": "Fax"}
        for number in range(200)
    ]
    write_rows(exports, "activities", header, rows + fax)

    result = dbt(
        # the models and seeds up to row_accounting, and the gate alone of their tests
        [
            "build",
            "--select",
            "+row_accounting,resource_type:model",
            "+row_accounting,resource_type:seed",
            "test_name:quarantine_share_within_threshold",
        ],
        tmp_path / "warehouse.duckdb",
        exports,
        tmp_path,
        quarantine_max_share="0.01",
    )

    assert result.returncode != 0
    message = " ".join(result.stdout.split())
    assert "Got 1 result" not in message
    assert (
        "Too much of the export is quarantined: more than quarantine_max_share (1.00%)" in message
    )
    assert "- activities: " in message
    assert "(threshold 1.00%)" in message
    share = 200 / (len(rows) + 200)
    examples = ", ".join(f"act-fax-{n:03d} (row {first_row + n})" for n in range(3))
    assert (
        f"rule unknown_activity_type: 200 rows ({share:.2%}), e.g. {examples}."
        " Fix: map the label in seeds/activity_type_mapping.csv." in message
    ), message[-3000:]
    assert "raise quarantine_max_share (--vars '{quarantine_max_share: 0.02}')" in message
    # only the entity over the threshold is listed
    assert "- leads: " not in message


def test_the_loader_names_file_line_key_rule_and_fix(demo_build, tmp_path):
    """The PostgreSQL/Spark loader checks each file before it connects: a row with
    a value holding the delimiter stops it with the file, line, key and fix."""
    exports = tmp_path / "exports"
    shutil.copytree(demo_build.exports, exports)
    path = exports / "accounts.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    key, name, rest = lines[5].split(",", 2)
    lines[5] = f"{key},{name}, Ltd.,{rest}"
    path.write_text("\n".join(lines), encoding="utf-8")

    with pytest.raises(LoadError) as stopped:
        load(exports, "generic", "postgres")

    message = str(stopped.value)
    assert f"{path}, line 6 (account_id '{key}')" in message
    assert "fields where the header has 8 (rule: field_count" in message
    assert "Fix: put such values in double quotes" in message
