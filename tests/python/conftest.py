"""Shared fixtures: one good build of the demo company for the trust tests.

`make pytest` passes the warehouse `make build-test` just built
(THE_MODEL_DUCKDB_PATH, THE_MODEL_TEST_EXPORTS) and what that build printed
(THE_MODEL_TEST_BUILD_LOG); run alone, the fixture generates the demo exports and
builds its own warehouse once per session (once per worker with pytest-xdist).
Tests only read it: to change a copy, copy the file first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from themodel.generator.cli import generate


@dataclass(frozen=True)
class DemoBuild:
    exports: Path
    database: Path
    output: str  # what `dbt build` printed


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    exports = os.environ.get("THE_MODEL_TEST_EXPORTS")
    database = os.environ.get("THE_MODEL_DUCKDB_PATH")
    log = os.environ.get("THE_MODEL_TEST_BUILD_LOG")
    if (
        exports
        and database
        and log
        and Path(exports, "truth.json").exists()
        and Path(database).exists()
        and Path(log).exists()
    ):
        output = Path(log).read_text(encoding="utf-8")
        return DemoBuild(Path(exports).resolve(), Path(database).resolve(), output)
    from test_build_generic import dbt  # the one way the tests run dbt

    work = tmp_path_factory.mktemp("demo_build")
    generate(1, 42, work / "exports")
    result = dbt(["build"], work / "warehouse.duckdb", work / "exports", work)
    assert result.returncode == 0, result.stdout[-5000:]
    return DemoBuild(work / "exports", work / "warehouse.duckdb", result.stdout)
