"""The validation runner fails loudly on bad marts and passes good ones (real DuckDB files)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from themodel.validation import runner, suites


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.demo_mart as"
            " select range as id, range / 10 as r, 'run-1' as run_id from range(5)"
        )
    return path


@pytest.fixture
def demo_suite(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(suites, "SUITES", {})
    monkeypatch.setattr(runner, "SUITES", suites.SUITES)
    monkeypatch.setattr(suites, "DERIVED", {})
    monkeypatch.setattr(runner, "DERIVED", suites.DERIVED)
    return suites.SUITES


def run(warehouse: Path, tmp_path: Path) -> int:
    return runner.main(["--database", str(warehouse), "--docs-dir", str(tmp_path / "gx")])


def test_good_mart_passes_and_writes_data_docs(warehouse, demo_suite, tmp_path, capsys):
    suites.register("demo_mart", suites.keys("id") + suites.rates("r") + suites.rows_between(1, 10))
    assert run(warehouse, tmp_path) == 0
    assert "4 passed, 0 failed" in capsys.readouterr().out
    assert list((tmp_path / "gx").rglob("index.html"))


def test_failing_expectation_names_mart_expectation_and_values(
    warehouse, demo_suite, tmp_path, capsys
):
    suites.register("demo_mart", suites.rates("id"))
    assert run(warehouse, tmp_path) == 1
    out = capsys.readouterr().out
    assert "FAIL demo_mart: expect_column_values_to_be_between(column=id" in out
    assert "3 unexpected, e.g. [2, 3, 4]" in out


def test_mart_without_suite_and_suite_without_mart_fail(warehouse, demo_suite, tmp_path, capsys):
    suites.register("missing_mart", suites.rows_between(1))
    assert run(warehouse, tmp_path) == 1
    out = capsys.readouterr().out
    assert "FAIL demo_mart: suite exists" in out
    assert "FAIL missing_mart: mart exists" in out


def test_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no warehouse here yet"):
        runner.main(["--database", str(tmp_path / "nope.duckdb")])


def test_validating_twice_in_the_same_folder_works(warehouse, demo_suite, tmp_path):
    suites.register("demo_mart", suites.keys("id"))
    assert run(warehouse, tmp_path) == 0
    assert run(warehouse, tmp_path) == 0


def test_rule_over_several_columns_names_the_rule_and_the_rows(
    warehouse, demo_suite, tmp_path, capsys
):
    derived, checks = suites.row_rules(
        suites.row_rule("holds", "id == 10 * r"), suites.row_rule("broken", "id <= r + 2")
    )
    suites.register("demo_mart", suites.columns_exactly("id", "r") + checks, derived=derived)
    assert run(warehouse, tmp_path) == 1
    out = capsys.readouterr().out
    assert "2 passed, 1 failed" in out
    assert "FAIL demo_mart: row_rule(rule=id <= r + 2) -> 2 rows break it" in out
    assert "{'id': '3', 'r': '0.3'}, {'id': '4', 'r': '0.4'}" in out
    assert "id == 10 * r" not in out
